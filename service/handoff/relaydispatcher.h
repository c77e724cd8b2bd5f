#pragma once
#include "ingress/commanddispatcher.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace sluice {

class HandoffChannel;

// What the predecessor's remaining connections talk to once a hand-off took place: every
// command goes over the hand-off channel to the successor, which now is the gateway, and its
// answer comes back; so a client that connected a moment before the hand-off is still served
// (never refused, never given an old view). Before the hand-off, and if the channel is gone,
// commands go to the local dispatcher.
class RelayDispatcher : public QObject, public CommandDispatcher
{
    Q_OBJECT
public:
    explicit RelayDispatcher(CommandDispatcher *local, QObject *parent = nullptr);

    void relayTo(HandoffChannel *channel);
    void dispatch(const QString &cmd, const QJsonObject &args, const RequestContext &context,
                  Done done) override;
    // A relay_reply from the successor.
    void onReply(const QJsonObject &message);
    // The successor is gone: every unanswered command is told so.
    void failPending();

private:
    CommandDispatcher *m_local;
    QPointer<HandoffChannel> m_channel;
    QHash<qint64, Done> m_pending;
    qint64 m_next = 1;
};

} // namespace sluice
