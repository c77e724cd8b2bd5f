#pragma once
#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace sluice::gui {

// One tray per user and HOME. start() tries to reach a running instance on a local socket named
// from a hash of user + HOME, without blocking: if one answers, it is sent "raise" and
// handedOver() follows (the caller exits 0); otherwise this process listens and becomes the
// primary, and raiseRequested() fires whenever a later launch knocks.
class SingleInstance : public QObject
{
    Q_OBJECT
public:
    explicit SingleInstance(const QString &home, QObject *parent = nullptr);
    ~SingleInstance() override;

    static QString serverNameFor(const QString &home);
    QString serverName() const { return m_name; }
    void start();

Q_SIGNALS:
    void becamePrimary();
    void handedOver();
    void raiseRequested();

private:
    void listen();

    QString m_name;
    QLocalSocket *m_probe = nullptr;
    QLocalServer *m_server = nullptr;
};

} // namespace sluice::gui
