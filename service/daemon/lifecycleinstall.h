#pragma once

namespace sluice {

class LifecycleController;
class ServiceApp;

// The two hooks the lifecycle part (docs/lifecycle.md) offers sluiced's main():
//
//   int main(int argc, char **argv) {
//       if (const int rc = sluice::lifecyclePreMain(argc, argv); rc >= 0) return rc;
//       ... ServiceApp app(options); sluice::installLifecycle(&app); app.start() ...
//   }
//
// lifecyclePreMain(): handles `sluiced --diagnose ...` (the detached shutdown diagnostic,
// CONTRACT §8) before any option parsing; returns its exit code, or -1 to continue normally.
int lifecyclePreMain(int argc, char **argv);

// installLifecycle(): call once, before or after ServiceApp::start(). It installs the full §6
// stop sequence (ServiceApp::setStopSequence), the signal bridge (TERM, HUP, INT, USR1), the
// planned-stop watcher and the startup work (remove .clean_shutdown, resume resume-pending
// sessions, consume .restart_pending.json). When the app's parts do not exist yet it waits
// for ServiceApp::aboutToServe.
// Returns the controller (owned by app); once installed, controller->sequence() takes extra
// listeners to close in the disconnect phase, e.g.
//   controller->sequence()->addListenerCloser("http", [http] { http->close(); });
// (or later: qobject_cast<ShutdownSequence *>(app->gateway()->stopSequence())).
LifecycleController *installLifecycle(ServiceApp *app);

} // namespace sluice
