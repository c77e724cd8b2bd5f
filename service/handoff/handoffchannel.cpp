#include "handoff/handoffchannel.h"

#include "handoff/handofflogging.h"

#include <QLocalSocket>

namespace sluice {

HandoffChannel::HandoffChannel(int descriptor, QObject *parent)
    : QObject(parent)
    , m_socket(new QLocalSocket(this))
{
    if (!m_socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcHandoff).noquote()
            << "cannot use the hand-off channel descriptor" << descriptor;
        m_closed = true;
        return;
    }
    connect(m_socket, &QLocalSocket::readyRead, this, &HandoffChannel::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        if (!m_closed) {
            m_closed = true;
            Q_EMIT closed();
        }
    });
}

HandoffChannel::~HandoffChannel() = default;

bool HandoffChannel::isOpen() const
{
    return !m_closed && m_socket->state() == QLocalSocket::ConnectedState;
}

void HandoffChannel::send(const QString &type, QJsonObject fields)
{
    if (!isOpen())
        return;
    fields.insert(QStringLiteral("type"), type);
    m_socket->write(Framing::encode(fields));
}

void HandoffChannel::close()
{
    if (m_closed)
        return;
    // Synchronously: this is what a process says right before it exits.
    while (m_socket->bytesToWrite() > 0 && m_socket->waitForBytesWritten(1000)) {
    }
    m_closed = true;
    m_socket->disconnectFromServer();
}

void HandoffChannel::onReadyRead()
{
    m_decoder.feed(m_socket->readAll());
    for (;;) {
        QJsonObject message;
        const FrameDecoder::Result r = m_decoder.next(&message);
        if (r == FrameDecoder::Result::NeedMore)
            return;
        if (r == FrameDecoder::Result::Failed) {
            qCWarning(lcHandoff).noquote()
                << "the hand-off channel sent a bad frame:" << m_decoder.errorString();
            m_socket->abort();
            return;
        }
        Q_EMIT received(message.value(QStringLiteral("type")).toString(), message);
        if (m_closed)
            return;
    }
}

} // namespace sluice
