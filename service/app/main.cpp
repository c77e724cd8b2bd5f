// sluiced: the Sluice agent gateway service.
#include "app/daemonlogging.h"
#include "app/serviceapp.h"
#include "app/servicelogger.h"
#include "app/serviceoptions.h"
#include "gateway/exitcodes.h"
#include "lifecycle/shutdowndiagnostic.h"

#include "sluice/paths.h"
#include "sluice/version.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    // `sluiced --diagnose ...` (the detached shutdown diagnostic) never starts a service.
    if (sluice::ShutdownDiagnostic::isRequested(argc, argv))
        return sluice::ShutdownDiagnostic::runDiagnoseMode(argc, argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluiced"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));

    sluice::ServiceOptions options;
    const auto parsed = sluice::ServiceOptions::parse(QCoreApplication::arguments(), &options);
    switch (parsed.outcome) {
    case sluice::ServiceOptions::Outcome::ExitOk:
        std::fputs(qPrintable(parsed.message), stdout);
        return 0;
    case sluice::ServiceOptions::Outcome::UsageError:
        // One line on stderr; 78 = configuration error (a service manager must not restart).
        std::fprintf(stderr, "sluiced: %s\n", qPrintable(parsed.message.simplified()));
        return sluice::ExitCode::Usage;
    case sluice::ServiceOptions::Outcome::Run:
        break;
    }

    const sluice::HomePaths paths(options.home);
    QString error;
    if (!paths.ensureHome(&error)) {
        std::fprintf(stderr, "sluiced: cannot use HOME %s: %s\n", qPrintable(options.home),
                     qPrintable(error.simplified()));
        return sluice::ExitCode::Usage;
    }
    sluice::ServiceLogger::install(paths.serviceLog(), options.logLevel, options.logMaxBytes,
                                   options.logKeep);

    int code = 0;
    {
        sluice::ServiceApp service(options);
        code = service.start();
        if (code < 0)
            code = QCoreApplication::exec();
    }
    qCInfo(lcDaemon) << "ready to exit, code" << code;
    sluice::ServiceLogger::uninstall();
    return code;
}
