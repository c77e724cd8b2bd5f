#include "core/singleinstance.h"

#include "core/guilogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace sluice::gui {

static QString userName()
{
#ifdef Q_OS_UNIX
    return QString::number(::getuid());
#else
    return qEnvironmentVariable("USERNAME");
#endif
}

SingleInstance::SingleInstance(const QString &home, QObject *parent)
    : QObject(parent)
    , m_name(serverNameFor(home))
{}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverNameFor(const QString &home)
{
    const QByteArray key = (userName() + QLatin1Char('\n') + QDir::cleanPath(home)).toUtf8();
    const QByteArray hash = QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
    return QStringLiteral("sluice-tray-") + QString::fromLatin1(hash.left(20));
}

void SingleInstance::start()
{
    m_probe = new QLocalSocket(this);
    connect(m_probe, &QLocalSocket::connected, this, [this] {
        qCInfo(lcTray) << "another sluice-tray runs for this HOME: asking it to raise";
        m_probe->write("raise\n");
        m_probe->flush();
        // Leave when the bytes are out or the peer closed; a short safety timer covers both.
        connect(m_probe, &QLocalSocket::bytesWritten, this, [this] {
            if (m_probe->bytesToWrite() == 0)
                m_probe->disconnectFromServer();
        });
        connect(m_probe, &QLocalSocket::disconnected, this, &SingleInstance::handedOver);
        QTimer::singleShot(1000, this, &SingleInstance::handedOver);
    });
    connect(m_probe, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (m_probe->state() == QLocalSocket::ConnectedState || m_server)
            return;
        m_probe->deleteLater();
        m_probe = nullptr;
        listen();
    });
    m_probe->connectToServer(m_name);
}

void SingleInstance::listen()
{
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // Nobody answered a moment ago, so a socket file left here is stale.
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name)) {
            qCWarning(lcTray) << "single-instance socket unavailable:" << m_server->errorString();
            // Still run: one tray without the guard beats none.
        }
    }
    connect(m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *s = m_server->nextPendingConnection()) {
            connect(s, &QLocalSocket::readyRead, this, [this, s] {
                if (s->readAll().contains("raise"))
                    Q_EMIT raiseRequested();
                s->disconnectFromServer();
            });
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    Q_EMIT becamePrimary();
}

} // namespace sluice::gui
