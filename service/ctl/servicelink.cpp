#include "ctl/servicelink.h"

#include "sluice/atomicjson.h"
#include "sluice/processidentity.h"

#include <QEventLoop>
#include <QTimer>

namespace sluice::ctl {

ServiceLink::ServiceLink(const HomePaths &paths)
    : m_paths(paths)
{
    QObject::connect(&m_client, &IpcClient::disconnected, &m_client,
                     [this] { m_disconnected = true; });
}

bool ServiceLink::connect(int timeoutMs, QString *error)
{
    m_client.setServerName(IpcClient::socketForHome(m_paths.home()));
    QEventLoop loop;
    bool ok = false;
    bool finished = false; // the signals may come synchronously from connectToServer()
    QString why = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    const auto c1 = QObject::connect(&m_client, &IpcClient::connected, &loop, [&] {
        ok = finished = true;
        loop.quit();
    });
    const auto c2 =
        QObject::connect(&m_client, &IpcClient::connectFailed, &loop, [&](const QString &reason) {
            why = reason;
            finished = true;
            loop.quit();
        });
    timer.start(timeoutMs);
    m_client.connectToServer();
    if (!finished && !m_client.isConnected())
        loop.exec();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    ok = ok || m_client.isConnected();
    if (ok) {
        m_disconnected = false;
        // Not needed for the contract but names us in the service log.
        call(QStringLiteral("hello"), {{QStringLiteral("client"), QStringLiteral("sluicectl")}},
             5000);
    } else if (error) {
        *error = why;
    }
    return ok;
}

IpcReply ServiceLink::call(const QString &cmd, const QJsonObject &args, int timeoutMs)
{
    QEventLoop loop;
    IpcReply result;
    bool done = false;
    m_client.request(
        cmd, args,
        [&](const IpcReply &reply) {
            result = reply;
            done = true;
            loop.quit();
        },
        timeoutMs);
    if (!done)
        loop.exec(); // the request's own timeout ends this loop
    return result;
}

bool ServiceLink::waitUntil(const std::function<bool()> &done, int timeoutMs, int pollMs)
{
    if (done())
        return true;
    QEventLoop loop;
    bool finished = false;
    auto check = [&] {
        if (!finished && done()) {
            finished = true;
            loop.quit();
        }
    };
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, check);
    poll.start(pollMs);
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    if (timeoutMs > 0)
        deadline.start(timeoutMs);
    const auto c1 = QObject::connect(&m_client, &IpcClient::eventReceived, &loop, check);
    const auto c2 = QObject::connect(&m_client, &IpcClient::disconnected, &loop, check);
    loop.exec();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    return finished;
}

RuntimeStatus ServiceLink::persistedStatus() const
{
    const JsonFile f = readJsonFile(m_paths.stateFile());
    return f.isObject() ? RuntimeStatus::fromJson(f.object) : RuntimeStatus();
}

bool ServiceLink::processAlive(const RuntimeStatus &status)
{
    return status.pid > 0 && ProcessIdentity::isSameProcess(status.pid, status.startTime);
}

void ServiceLink::spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace sluice::ctl
