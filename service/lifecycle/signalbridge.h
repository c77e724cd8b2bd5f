#pragma once
#include <QList>
#include <QObject>

class QSocketNotifier;

namespace sluice {

// Brings Unix signals into the Qt event loop safely (the KeePassXC pattern): the
// async-signal-safe handler only write()s the signal number as one byte into a socket pair;
// a QSocketNotifier on the other end reads it and emits signalReceived() from the event loop.
// Handles SIGTERM, SIGHUP, SIGINT and SIGUSR1 (graceful restart), and SIGCHLD (childExited, so
// orphans are reaped when one exits, not by a timer; a handler installed before ours, e.g.
// Qt's own, is still called). One instance per process.
// Windows: no such signals; the object exists but never emits (the planned-stop marker is the
// stop request there).
class SignalBridge : public QObject
{
    Q_OBJECT
public:
    explicit SignalBridge(QObject *parent = nullptr);
    ~SignalBridge() override; // restores the default dispositions

    // Installs the handlers for the given signals (default: TERM, HUP, INT, USR1).
    // False when the socket pair or a handler could not be set up.
    bool install(const QList<int> &signalNumbers = defaultSignals());
    static QList<int> defaultSignals();
    bool isInstalled() const { return m_installed; }

Q_SIGNALS:
    void signalReceived(int signalNumber);
    void childExited();

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr;
    QList<int> m_signals;
    bool m_installed = false;
    bool m_child = false;
};

} // namespace sluice
