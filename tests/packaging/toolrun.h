#pragma once
// Runs a command-line tool (a validator, cmake, dpkg) with a time limit and its output merged.
#include <QProcess>
#include <QStringList>

namespace sluice::test {

struct ToolRun
{
    int exitCode = -1; // -1: did not start, crashed or timed out
    QByteArray out;
    QString describe(const QString &program) const
    {
        return QStringLiteral("%1 exited %2:\n%3")
            .arg(program)
            .arg(exitCode)
            .arg(QString::fromLocal8Bit(out));
    }
};

inline ToolRun runTool(const QString &program, const QStringList &args, int timeoutMs = 120000,
                       const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setProcessEnvironment(env);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, args);
    ToolRun r;
    if (!p.waitForStarted(10000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.out = p.readAll();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAll();
    return r;
}

} // namespace sluice::test
