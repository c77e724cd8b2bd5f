#include "ctl/ctloutput.h"

#include <QJsonDocument>

#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

namespace sluice::ctl {

QString humanAge(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("an unknown time");
    const qint64 s = qint64(seconds);
    if (s < 120)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1 min").arg(s / 60);
    if (s < 86400)
        return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

namespace {
void writeOut(FILE *f, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), f);
    std::fflush(f);
}
} // namespace

bool CtlOutput::stdoutIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stdout)) != 0;
#else
    return ::isatty(STDOUT_FILENO) == 1;
#endif
}

void CtlOutput::emitDocument(const QJsonObject &doc)
{
    if (m_emitted)
        return; // one document, whatever happens
    m_emitted = true;
    writeOut(stdout, QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Indented)));
}

int CtlOutput::result(const QJsonObject &fields, const QString &text, int exitCode)
{
    endProgress();
    if (m_json) {
        QJsonObject doc{{QStringLiteral("ok"), exitCode == Exit::Ok}};
        for (auto it = fields.constBegin(); it != fields.constEnd(); ++it)
            if (it.key() != QLatin1String("v") && it.key() != QLatin1String("id"))
                doc.insert(it.key(), it.value());
        emitDocument(doc);
    } else if (!text.isEmpty()) {
        writeOut(stdout, text.endsWith(QLatin1Char('\n')) ? text : text + QLatin1Char('\n'));
    }
    return exitCode;
}

int CtlOutput::fail(int exitCode, const QString &code, const QString &message,
                    const QJsonObject &extra)
{
    endProgress();
    if (m_json) {
        QJsonObject doc = extra;
        doc.insert(QStringLiteral("ok"), false);
        doc.insert(QStringLiteral("exit_code"), exitCode);
        doc.insert(QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code},
                                                        {QStringLiteral("message"), message}});
        emitDocument(doc);
    } else {
        writeOut(stderr, QStringLiteral("sluicectl: %1\n").arg(message));
    }
    return exitCode;
}

void CtlOutput::progress(const QString &line, bool transient)
{
    if (m_json)
        return;
    if (transient && stdoutIsTerminal()) {
        writeOut(stdout, QStringLiteral("\r\x1b[K") + line);
        m_transientOpen = true;
        return;
    }
    endProgress();
    writeOut(stdout, line + QLatin1Char('\n'));
}

void CtlOutput::endProgress()
{
    if (m_transientOpen) {
        writeOut(stdout, QStringLiteral("\n"));
        m_transientOpen = false;
    }
}

void CtlOutput::info(const QString &line)
{
    if (!m_json)
        progress(line);
}

void CtlOutput::raw(const QString &text, bool toStderr)
{
    if (m_json || text.isEmpty())
        return;
    endProgress();
    writeOut(toStderr ? stderr : stdout, text);
}

} // namespace sluice::ctl
