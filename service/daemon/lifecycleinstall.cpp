#include "lifecycleinstall.h"

#include "lifecyclecontroller.h"
#include "serviceapp.h"
#include "shutdowndiagnostic.h"

namespace sluice {

int lifecyclePreMain(int argc, char **argv)
{
    if (ShutdownDiagnostic::isRequested(argc, argv))
        return ShutdownDiagnostic::runDiagnoseMode(argc, argv);
    return -1;
}

LifecycleController *installLifecycle(ServiceApp *app)
{
    auto *controller = new LifecycleController(app);
    if (app->gateway()) {
        controller->install();
    } else {
        QObject::connect(app, &ServiceApp::aboutToServe, controller, &LifecycleController::install,
                         Qt::SingleShotConnection);
    }
    return controller;
}

} // namespace sluice
