#pragma once
#include <QObject>
#include <QString>

class QSocketNotifier;

namespace sluice {

// The listening end of the local socket on Unix, in place of QLocalServer, which closes itself
// and unlinks the socket file when accept() fails once (EMFILE with an exhausted descriptor
// table). This one keeps listening: it holds one spare descriptor, and when accept() fails for
// want of descriptors it frees the spare, accepts the waiting client and closes it at once (the
// client sees a closed connection instead of waiting forever), then takes the spare back.
class UnixListener : public QObject
{
    Q_OBJECT
public:
    explicit UnixListener(QObject *parent = nullptr);
    ~UnixListener() override;

    // Binds and listens on path (which must not exist); the socket file is made 0600.
    bool listen(const QString &path, QString *error);
    // Listens on a socket bound by someone else (socket activation, a predecessor); the file
    // is removed at close() only when removeOnClose.
    void adopt(int descriptor, const QString &path, bool removeOnClose);
    void setRemoveOnClose(bool remove) { m_removeOnClose = remove; }
    bool isListening() const { return m_fd >= 0; }
    int descriptor() const { return m_fd; }
    // Accepting off: connections wait in the backlog (another process may take them).
    void setAccepting(bool accepting);
    // Stops listening and removes the socket file (unless adopted without removeOnClose).
    void close();
    // Closes our descriptor only: the socket lives on in the process that shares it.
    void closeDescriptor();

Q_SIGNALS:
    // A connected client; the receiver owns the descriptor (non-blocking, close-on-exec).
    void accepted(qintptr descriptor);

private:
    void onReadable();
    void pause();
    void watch();

    int m_fd = -1;
    int m_spare = -1;
    QString m_path;
    QSocketNotifier *m_notifier = nullptr;
    bool m_removeOnClose = true;
    bool m_accepting = true;
    bool m_exhaustedLogged = false;
};

} // namespace sluice
