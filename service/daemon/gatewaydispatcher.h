#pragma once
#include "commanddispatcher.h"

#include <QObject>

namespace sluice {

class Gateway;
class ServiceApp;

// The one implementation of every command of CONTRACT §10 (+ the internal "metrics"), shared
// by the local socket server and the HTTP API. Validates arguments (bad_request), applies
// the gate (draining / stopping) and answers through `done` exactly once.
class GatewayDispatcher : public QObject, public CommandDispatcher
{
    Q_OBJECT
public:
    GatewayDispatcher(Gateway *gateway, ServiceApp *app, QObject *parent = nullptr);

    void dispatch(const QString &cmd, const QJsonObject &args, const RequestContext &context,
                  Done done) override;

    static QStringList features(); // hello `features`

private:
    Gateway *m_gateway;
    ServiceApp *m_app;
};

} // namespace sluice
