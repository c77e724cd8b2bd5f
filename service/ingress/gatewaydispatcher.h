#pragma once
#include "ingress/commanddispatcher.h"

#include <QObject>

namespace sluice {

class Gateway;
class StatusWriter;
class TurnManager;

// The one implementation of every command of docs/reference.md §10 (+ the internal "metrics"),
// shared by the local socket server and the HTTP API. Validates arguments (bad_request), applies
// the gate (draining / stopping) and answers through `done` exactly once.
class GatewayDispatcher : public QObject, public CommandDispatcher
{
    Q_OBJECT
public:
    // lastShutdownFile: logs/last-shutdown.json, for `shutdown_report`.
    GatewayDispatcher(Gateway *gateway, TurnManager *turns, StatusWriter *writer,
                      const QString &lastShutdownFile, QObject *parent = nullptr);

    void dispatch(const QString &cmd, const QJsonObject &args, const RequestContext &context,
                  Done done) override;

    static QStringList features(); // hello `features`

    // Turns run by a hand-off predecessor: `interrupt` passes what we do not know to it.
    // Returns how many it will interrupt, or -1 when it has no such turn.
    using ForeignInterrupt =
        std::function<int(const QString &turnId, const QString &session, const QString &reason)>;
    void setForeignInterrupt(ForeignInterrupt hook) { m_foreignInterrupt = std::move(hook); }

private:
    CommandResult turns(const QJsonObject &args) const;

    Gateway *m_gateway;
    TurnManager *m_turns;
    StatusWriter *m_writer;
    QString m_lastShutdownFile;
    ForeignInterrupt m_foreignInterrupt;
};

} // namespace sluice
