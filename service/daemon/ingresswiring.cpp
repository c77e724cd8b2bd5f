#include "ingresswiring.h"

#include "daemonlogging.h"
#include "gateway.h"
#include "gatewaydispatcher.h"
#include "serviceapp.h"

#include "controltoken.h"
#include "httpapi.h"
#include "supervisoralignment.h"
#include "systemdnotifier.h"

#ifdef SLUICE_HAVE_LIFECYCLE
#include "shutdownsequence.h"
#endif

#include <QCoreApplication>
#include <QHostAddress>

#include <cmath>

namespace sluice {

namespace {
int envMs(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

void startHttp(ServiceApp *app)
{
    const ServiceOptions &o = app->options();
    QString error;
    bool created = false;
    const QByteArray token =
        ControlToken::loadOrCreate(app->paths().controlToken(), &error, &created);
    if (token.isEmpty())
        qCWarning(lcDaemon).noquote() << "cannot create control.token:" << error
                                      << "- every authenticated HTTP route answers 401";
    else if (created)
        qCInfo(lcDaemon) << "created" << app->paths().controlToken();
    if (o.httpPort < 0) {
        qCInfo(lcDaemon) << "HTTP API off (--http-port -1)";
        return;
    }
    HttpApi::Options http;
    http.address = QHostAddress(o.httpAddress);
    http.port = o.httpPort;
    http.token = token;
    // Tuning knobs (documented in docs/http.md); the tests use them to keep slow-client
    // checks short.
    http.limits.idleTimeoutMs = envMs("SLUICE_HTTP_IDLE_TIMEOUT_MS", http.limits.idleTimeoutMs);
    http.limits.requestTimeoutMs =
        envMs("SLUICE_HTTP_REQUEST_TIMEOUT_MS", http.limits.requestTimeoutMs);
    auto *api = new HttpApi(app->dispatcher(), http, app);
    if (!api->listen(&error)) {
        // The local socket stays the way in; a busy port must not crash-loop the service.
        qCCritical(lcDaemon).noquote()
            << QStringLiteral("HTTP API cannot listen on %1:%2: %3; continuing without HTTP")
                   .arg(o.httpAddress)
                   .arg(o.httpPort)
                   .arg(error);
        delete api;
        return;
    }
    app->gateway()->setHttpPort(api->port());
#ifdef SLUICE_HAVE_LIFECYCLE
    if (auto *sequence = qobject_cast<ShutdownSequence *>(app->gateway()->stopSequence()))
        sequence->addListenerCloser(QStringLiteral("HTTP listener and connections"),
                                    [api] { api->close(); });
#endif
}

void startSupervisor(ServiceApp *app)
{
    const ServiceOptions &o = app->options();
    Gateway *gateway = app->gateway();
    auto *notifier = new SystemdNotifier(app);
    if (notifier->isEnabled())
        qCInfo(lcDaemon) << "systemd notify socket" << qgetenv("NOTIFY_SOCKET")
                         << (notifier->watchdogEnabled() ? "with watchdog" : "");
    QObject::connect(gateway, &Gateway::stateChanged, notifier,
                     [notifier, gateway](const QString &s) {
                         notifier->setStatus(s, gateway->runtimeStatus().activeAgents);
                         if (s == QLatin1String(GatewayState::Running) ||
                             s == QLatin1String(GatewayState::Draining))
                             notifier->ready(); // once: the listeners are up and the gate decided
                     });
    QObject::connect(gateway, &Gateway::activeAgentsChanged, notifier,
                     [notifier, gateway](int n) { notifier->setStatus(gateway->state(), n); });
    QObject::connect(gateway, &Gateway::stopBegan, notifier, [notifier, o](const QString &cause) {
        const bool force = cause == StopRequest::causeName(StopCause::ForceRestart);
        notifier->stopBegan(force ? 0 : qint64(std::ceil(o.drainTimeoutS)),
                            qint64(std::ceil(o.interruptGraceS)));
    });
    QObject::connect(qApp, &QCoreApplication::aboutToQuit, notifier,
                     &SystemdNotifier::stopFinished);

    const bool systemd = SupervisorAlignment::underSystemd();
    gateway->setSupervisorInfo(
        {{QStringLiteral("manager"), systemd ? QStringLiteral("systemd") : QStringLiteral("none")},
         {QStringLiteral("checked"), false},
         {QStringLiteral("aligned"), true}});
    if (!systemd)
        return;
    auto *alignment = new SupervisorAlignment(qint64(std::ceil(o.drainTimeoutS)),
                                              qint64(std::ceil(o.interruptGraceS)), app);
    QObject::connect(alignment, &SupervisorAlignment::finished, gateway,
                     [gateway, alignment](const QJsonObject &result) {
                         gateway->setSupervisorInfo(result);
                         alignment->deleteLater();
                     });
    alignment->start();
}
} // namespace

void installIngress(ServiceApp *app)
{
    QObject::connect(app, &ServiceApp::aboutToServe, app, [app] {
        startHttp(app);
        startSupervisor(app);
    });
}

} // namespace sluice
