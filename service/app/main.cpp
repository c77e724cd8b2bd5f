// sluiced: the Sluice agent gateway service.
#include "app/daemonlogging.h"
#include "app/serviceapp.h"
#include "app/servicelogger.h"
#include "app/serviceoptions.h"
#include "gateway/exitcodes.h"
#include "handoff/handoffchannel.h"
#include "handoff/handoffcontext.h"
#include "lifecycle/shutdowndiagnostic.h"
#include "turns/turnprocess.h"

#include "sluice/paths.h"
#include "sluice/version.h"

#include <QCoreApplication>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <sys/stat.h>
#endif

int main(int argc, char *argv[])
{
    // `sluiced --diagnose ...` (the detached shutdown diagnostic) never starts a service.
    if (sluice::ShutdownDiagnostic::isRequested(argc, argv))
        return sluice::ShutdownDiagnostic::runDiagnoseMode(argc, argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sluiced"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SLUICE_VERSION));

    // A hand-off successor: the predecessor's umask and limit are what agents get back.
    QString handoffError;
    const std::optional<sluice::HandoffContext> handoff =
        sluice::HandoffContext::takeFromEnvironment(&handoffError);

    sluice::ServiceOptions options;
    const auto parsed = sluice::ServiceOptions::parse(QCoreApplication::arguments(), &options);
    switch (parsed.outcome) {
    case sluice::ServiceOptions::Outcome::ExitOk:
        std::fputs(qPrintable(parsed.message), stdout);
        return 0;
    case sluice::ServiceOptions::Outcome::UsageError:
        // One line on stderr; 78 = configuration error (a service manager must not restart).
        std::fprintf(stderr, "sluiced: %s\n", qPrintable(parsed.message.simplified()));
        if (handoff) // the predecessor serves on and says why the restart failed
            sluice::HandoffChannel(handoff->channelFd)
                .sendAndClose(QStringLiteral("failed"),
                              {{QStringLiteral("reason"), parsed.message.simplified()}});
        return sluice::ExitCode::Usage;
    case sluice::ServiceOptions::Outcome::Run:
        break;
    }

    sluice::TurnProcess::AgentDefaults agentDefaults;
#ifdef Q_OS_UNIX
    // Everything sluiced creates in HOME is private (state.db holds prompts and outputs),
    // whatever the umask it was started with; agents get that umask back (TurnProcess).
    agentDefaults.umask = int(::umask(077));
    // Many clients must not exhaust the descriptor table: take all the hard limit allows.
    struct rlimit files;
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        agentDefaults.openFilesLimit = qint64(files.rlim_cur);
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    if (handoff) {
        agentDefaults.umask = handoff->agentUmask;
        agentDefaults.openFilesLimit = handoff->agentOpenFilesLimit;
    }
#endif
    const sluice::HomePaths paths(options.home);
    QString error;
    if (!paths.ensureHome(&error)) {
        std::fprintf(stderr, "sluiced: cannot use HOME %s: %s\n", qPrintable(options.home),
                     qPrintable(error.simplified()));
        return sluice::ExitCode::Usage;
    }
    sluice::ServiceLogger::install(paths.serviceLog(), options.logLevel, options.logMaxBytes,
                                   options.logKeep);

    if (!handoffError.isEmpty())
        qCWarning(lcDaemon).noquote() << handoffError << "- starting as a first generation";

    int code = 0;
    {
        sluice::ServiceApp service(options, agentDefaults, handoff);
        code = service.start();
        if (code < 0)
            code = QCoreApplication::exec();
    }
    qCInfo(lcDaemon).noquote() << "ready to exit, code" << code;
    sluice::ServiceLogger::uninstall();
    return code;
}
