#pragma once

namespace sluice {

class ServiceApp;

// Wires the HTTP API (service/http) and the service-manager glue (service/supervisor) into
// sluiced. Call once before ServiceApp::start(); the work happens on ServiceApp::aboutToServe:
//  - control.token is created (0600, 256 random bits) or kept; the HTTP API listens on
//    --http-address:--http-port (-1 = off) and the bound port goes into status (http_port);
//    its listener and connections close in the stop's `disconnect` phase;
//  - SystemdNotifier follows the gateway: READY=1 once serving, STATUS= on every change,
//    STOPPING=1 + EXTEND_TIMEOUT_USEC= from stopBegan, WATCHDOG=1 when asked for;
//  - under systemd the stop-timeout alignment check runs and its result becomes status
//    `supervisor`.
void installIngress(ServiceApp *app);

} // namespace sluice
