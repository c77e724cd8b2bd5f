#pragma once
// Raw local-socket frames for tests that must send what a well-behaved client never would.
// Blocking calls are fine here: this is a test process, not GUI code.
#include "sluice/ipcframing.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QtEndian>

namespace sluice::test {

inline QByteArray rawFrame(const QByteArray &body)
{
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(quint32(body.size()), out.data());
    return out + body;
}

inline QByteArray lengthOnly(quint32 length)
{
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(length, out.data());
    return out;
}

inline QByteArray requestFrame(qint64 id, const QString &cmd, QJsonObject args = {})
{
    args.insert(QStringLiteral("v"), 1);
    args.insert(QStringLiteral("id"), id);
    args.insert(QStringLiteral("cmd"), cmd);
    return Framing::encode(args);
}

// Reads one frame (blocking, with a deadline). Returns false on timeout / disconnect.
inline bool readFrame(QLocalSocket &socket, QJsonObject *out, int timeoutMs = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (socket.bytesAvailable() < 4) {
        if (timer.elapsed() > timeoutMs || socket.state() != QLocalSocket::ConnectedState ||
            !socket.waitForReadyRead(200)) {
            if (socket.bytesAvailable() >= 4)
                break;
            if (timer.elapsed() > timeoutMs || socket.state() != QLocalSocket::ConnectedState)
                return false;
        }
    }
    QByteArray header = socket.peek(4);
    const quint32 n = qFromBigEndian<quint32>(header.constData());
    while (socket.bytesAvailable() < qint64(4 + n)) {
        if (timer.elapsed() > timeoutMs)
            return false;
        if (!socket.waitForReadyRead(200) && socket.state() != QLocalSocket::ConnectedState &&
            socket.bytesAvailable() < qint64(4 + n))
            return false;
    }
    socket.read(4);
    const QJsonDocument doc = QJsonDocument::fromJson(socket.read(n));
    *out = doc.object();
    return true;
}

// Waits until the server has closed the connection.
inline bool waitClosed(QLocalSocket &socket, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QLocalSocket::ConnectedState) {
        if (timer.elapsed() > timeoutMs)
            return false;
        socket.waitForReadyRead(100);
        socket.readAll();
    }
    return true;
}

} // namespace sluice::test
