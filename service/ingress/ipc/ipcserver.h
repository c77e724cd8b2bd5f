#pragma once
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace sluice {

class CommandDispatcher;
class IpcConnection;
class UnixListener;

// The local socket server (docs/reference.md §10). Unix: the socket lives in a folder only the user
// can enter (0700), the socket file is 0600, and on Linux every peer's uid is checked
// (SO_PEERCRED) so only the service's own user may talk to it. A leftover socket file is
// removed only after a connect attempt proves nobody listens on it.
class IpcServer : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxPendingOutput = 8 * 1024 * 1024; // bytes queued to a client before it is dropped
        int stallTimeoutMs = 10000;                // a partial frame stalled this long: close
        int maxConnections = 256;                  // then the least recently active one goes
        int idleTimeoutMs = 300000;                // no request for this long: close (not
                                                   // subscribers: they wait for events)
        // A follower's output chunks are counted as skipped, not queued, while more than this
        // waits unread on its connection (so following never gets a client dropped).
        qint64 maxFollowPending = 1024 * 1024;
    };

    IpcServer(CommandDispatcher *dispatcher, const Limits &limits, QObject *parent = nullptr);
    ~IpcServer() override;

    // False with a one-line reason (the path is in use by a live server, folder not private,
    // listen failed). `inUse` tells the first case apart.
    // ownFolder: the folder is sluiced's own (HOME/run) and may be tightened to 0700; a folder
    // named by --socket is never changed (refused when others may replace the socket there).
    bool listen(const QString &path, bool ownFolder, QString *error, bool *inUse = nullptr);
    // Unix: serves on an inherited listening socket (socket activation, hand-off restart);
    // the socket file is removed at closeListener() only when removeOnClose.
    void adoptListener(int descriptor, const QString &path, bool removeOnClose);
    QString path() const { return m_path; }
    bool isListening() const;
    int listenerDescriptor() const;                          // Unix; -1 when none
    bool ownsSocketFile() const { return m_ownsSocketFile; } // false: a .socket unit's
    void setOwnsSocketFile(bool owns); // closeListener() removes the file only when we own it
    // Off: new connections wait in the backlog for whoever else accepts on the socket.
    void setAccepting(bool accepting);
    // Closes our descriptor of the listener, leaving the socket (and its file) to the process
    // that shares it.
    void releaseListener();

    // Stops accepting connections and removes the socket file (disconnect phase).
    void closeListener();
    // Flushes what can be flushed and closes every client connection.
    void disconnectAll();

    // Events: to every subscriber, or to one connection (e.g. the client of a running turn).
    void broadcast(const QString &event, const QJsonObject &fields);
    bool sendEvent(quint64 clientId, const QString &event, const QJsonObject &fields);
    int connectionCount() const { return m_connections.size(); }
    bool isSubscribed(quint64 clientId) const; // the stop's notify phase avoids doubles

    // Live output to the connections that follow the turn (docs/protocol.md, `follow`).
    void deliverTurnOutput(const QString &turnId, const QString &stream, qint64 offset,
                           const QByteArray &data);
    // The turn has ended: its followers get `turn` (fields) unless subscribed, and the follow
    // ends.
    void endTurnFollow(const QString &turnId, const QJsonObject &fields);

private:
    void onNewConnection();
    void adopt(QLocalSocket *socket);
    void makeRoom();
    int connectionCap() const;
    bool peerAllowed(qintptr descriptor, QString *why) const;

    CommandDispatcher *m_dispatcher;
    Limits m_limits;
    QLocalServer *m_server = nullptr;   // Windows: named pipes
    UnixListener *m_listener = nullptr; // Unix: survives an exhausted descriptor table
    QString m_path;
    bool m_ownsSocketFile = true;
    QHash<quint64, IpcConnection *> m_connections;
    quint64 m_nextId = 1;
    bool m_capLogged = false;
};

} // namespace sluice
