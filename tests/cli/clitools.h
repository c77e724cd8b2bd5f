#pragma once
// Helpers for the cli tests: run sluicectl, speak raw HTTP/1.1, block-until-released agents.
#include "servicefixture.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTcpSocket>
#include <QTest>

namespace sluice::test {

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
