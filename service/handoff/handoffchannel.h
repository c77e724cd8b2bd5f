#pragma once
#include "sluice/ipcframing.h"

#include <QJsonObject>
#include <QObject>

class QLocalSocket;

namespace sluice {

// The private line between the two generations of a hand-off restart: one end of a
// socketpair each, framed JSON objects (the IPC framing) with a `type` field. Messages
// (docs/lifecycle.md, "Hand-off restart"):
//   successor -> predecessor: ready, relay_reply, event
//   predecessor -> successor: takeover, turn, agents, finished, relay
//   both ways:                interrupt (successor -> predecessor), stop (likewise)
// The end closes when either process exits, which is how each learns the other is gone.
class HandoffChannel : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of descriptor (one end of a connected AF_UNIX stream socketpair).
    explicit HandoffChannel(int descriptor, QObject *parent = nullptr);
    ~HandoffChannel() override;

    bool isOpen() const;
    void send(const QString &type, QJsonObject fields = {});
    // Flushes what was sent (synchronously: for a process about to exit) and closes.
    void close();
    void sendAndClose(const QString &type, const QJsonObject &fields)
    {
        send(type, fields);
        close();
    }

Q_SIGNALS:
    void received(const QString &type, const QJsonObject &message);
    void closed();

private:
    void onReadyRead();

    QLocalSocket *m_socket;
    FrameDecoder m_decoder{Framing::MaxServerFrame};
    bool m_closed = false;
};

} // namespace sluice
