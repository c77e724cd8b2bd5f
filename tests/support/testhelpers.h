#pragma once
// The helpers every test folder shares; each test process uses what it needs.
#include "servicefixture.h"

#include "sluice/atomicjson.h"
#include "sluice/ipcframing.h"
#include "sluice/paths.h"

#include <QByteArray>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QStringList>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#endif

namespace sluice::test {

// --- Files written byte for byte, file times, leftovers of atomic writes -----

inline bool writeRaw(const QString &path, const QByteArray &data)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(data) == data.size();
}

inline bool setMtime(const QString &path, const QDateTime &t)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite))
        return false;
    return f.setFileTime(t, QFileDevice::FileModificationTime);
}

// Any leftover "<name>.tmp.*" file of an atomic write.
inline QStringList tempLeftovers(const QString &dir)
{
    return QDir(dir).entryList({QStringLiteral("*.tmp.*")},
                               QDir::Files | QDir::Hidden | QDir::System);
}

// --- Files and processes -----------------------------------------------------

inline QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

inline QString serviceLog(const ServiceFixture &fx)
{
    return readText(HomePaths(fx.home()).serviceLog());
}

inline bool waitForLog(const ServiceFixture &fx, const QString &text, int timeoutMs = 20000)
{
    return ServiceFixture::waitFor([&] { return serviceLog(fx).contains(text); }, timeoutMs);
}

// Alive and not a zombie (Linux /proc).
inline bool pidAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    const QString stat = readText(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.isEmpty())
        return false;
    const int close = stat.lastIndexOf(QLatin1Char(')'));
    return close < 0 || stat.mid(close + 2, 1) != QLatin1String("Z");
}

// Every pid written (one per line) into the files of `dir` whose names end with ".pid".
inline QList<qint64> recordedPids(const QString &dir)
{
    QList<qint64> pids;
    const QStringList files = QDir(dir).entryList({QStringLiteral("*.pid")}, QDir::Files);
    for (const QString &f : files) {
        const QStringList lines =
            readText(QDir(dir).filePath(f)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &l : lines)
            pids << l.trimmed().toLongLong();
    }
    return pids;
}

#ifdef Q_OS_UNIX
inline void killPids(const QList<qint64> &pids)
{
    for (qint64 p : pids) {
        if (pidAlive(p))
            ::kill(pid_t(p), SIGKILL);
    }
}
#endif

inline QJsonObject lastShutdown(const ServiceFixture &fx)
{
    return readJsonFile(HomePaths(fx.home()).lastShutdown()).object;
}

inline QStringList phaseNames(const QJsonObject &report)
{
    QStringList names;
    const QJsonArray phases = report.value(QStringLiteral("phases")).toArray();
    for (const QJsonValue &p : phases)
        names << p.toObject().value(QStringLiteral("name")).toString();
    return names;
}

inline const QStringList &allPhases()
{
    static const QStringList names{QStringLiteral("begin"),       QStringLiteral("notify"),
                                   QStringLiteral("mark_resume"), QStringLiteral("drain"),
                                   QStringLiteral("interrupt"),   QStringLiteral("disconnect"),
                                   QStringLiteral("persist"),     QStringLiteral("exit")};
    return names;
}

// Sends a turn and waits until the agent reports it is running (the script touches a file).
inline QString sendTurn(ServiceFixture &fx, const QString &session,
                        const QString &text = QStringLiteral("hello"))
{
    const IpcReply r =
        fx.call(QStringLiteral("send"),
                QJsonObject{{QStringLiteral("session"), session}, {QStringLiteral("text"), text}});
    if (!r.ok) {
        qWarning("send failed: %s %s", qPrintable(r.errorCode), qPrintable(r.errorMessage));
        return {};
    }
    return r.body.value(QStringLiteral("turn_id")).toString();
}

// --- Raw local-socket frames, for what a well-behaved client never sends. Blocking calls
// are fine here: this is a test process, not GUI code. -----------------

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

// --- sluicectl, raw HTTP/1.1 and agents that block until released ------------

struct CtlResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json; // when stdout is exactly one JSON object
    bool oneDocument = false;
};

// Runs sluicectl (never longer than timeoutMs) with extra environment variables.
inline CtlResult runCtl(const QStringList &args, const QProcessEnvironment &extraEnv = {},
                        int timeoutMs = 60000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("SLUICE_HOME"));
    const QStringList keys = extraEnv.keys();
    for (const QString &k : keys)
        env.insert(k, extraEnv.value(k));
    p.setProcessEnvironment(env);
    p.start(ServiceFixture::binary(QStringLiteral("sluicectl")), args);
    CtlResult r;
    if (!p.waitForStarted(10000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &pe);
    r.oneDocument = pe.error == QJsonParseError::NoError && doc.isObject();
    r.json = doc.object();
    return r;
}

inline QString describe(const CtlResult &r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

// An agent that echoes at once, unless the message contains "block": then it waits until
// the file `release` exists in the scripts folder.
inline QString blockingAgent(ServiceFixture &f)
{
    return f.writeAgentScript(
        QStringLiteral("agent.sh"),
        QStringLiteral("msg=$(cat)\n"
                       "case \"$msg\" in *block*)\n"
                       "  while [ ! -f '%1/release' ]; do sleep 0.05; done ;;\n"
                       "esac\n"
                       "echo \"reply: $msg\"\n")
            .arg(f.scriptsDir()));
}

inline void release(ServiceFixture &f)
{
    QFile file(f.scriptsDir() + QStringLiteral("/release"));
    QVERIFY(file.open(QIODevice::WriteOnly));
}

struct HttpReply
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // lower-case names
    QByteArray body;
    bool complete = false;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers)
            if (h.first == name)
                return h.second;
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Reads one response (status line, headers, Content-Length body) from `s`, waiting up to
// timeoutMs. `buffer` keeps bytes of following (pipelined) responses.
inline HttpReply readResponse(QTcpSocket &s, QByteArray &buffer, int timeoutMs = 15000)
{
    HttpReply r;
    QElapsedTimer t;
    t.start();
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
            r.status = statusLine.value(1).toInt();
            qint64 length = 0;
            for (int i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                r.headers.append({name, value});
                if (name == "content-length")
                    length = value.toLongLong();
            }
            if (buffer.size() >= end + 4 + length) {
                r.body = buffer.mid(end + 4, length);
                buffer.remove(0, end + 4 + length);
                r.complete = true;
                return r;
            }
        }
        const qint64 left = timeoutMs - t.elapsed();
        if (left <= 0 || (s.state() != QAbstractSocket::ConnectedState && s.bytesAvailable() == 0))
            return r;
        if (s.bytesAvailable() == 0)
            s.waitForReadyRead(int(qMin<qint64>(left, 500)));
        buffer += s.readAll();
    }
}

inline QByteArray requestBytes(const QByteArray &method, const QByteArray &path,
                               const QByteArray &token = {}, const QByteArray &body = {},
                               const QByteArray &extraHeaders = {})
{
    QByteArray r = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token + "\r\n";
    if (!body.isEmpty() || method == "POST")
        r +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\n";
    r += extraHeaders;
    r += "\r\n" + body;
    return r;
}

// One request on a fresh connection.
inline HttpReply http(quint16 port, const QByteArray &method, const QByteArray &path,
                      const QByteArray &token = {}, const QByteArray &body = {},
                      const QByteArray &extraHeaders = {})
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!s.waitForConnected(10000))
        return {};
    s.write(requestBytes(method, path, token, body, extraHeaders));
    s.waitForBytesWritten(10000);
    QByteArray buffer;
    return readResponse(s, buffer);
}

// Waits (spinning the event loop) until the socket is closed by the peer.
inline bool waitClosed(QTcpSocket &s, int timeoutMs = 15000)
{
    QElapsedTimer t;
    t.start();
    while (s.state() != QAbstractSocket::UnconnectedState && t.elapsed() < timeoutMs) {
        s.waitForReadyRead(200);
        s.readAll();
    }
    return s.state() == QAbstractSocket::UnconnectedState;
}

} // namespace sluice::test
