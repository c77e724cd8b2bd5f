// sluiced's option parser (service/app/serviceoptions): the config file and the command line.
// Input: the config file's content, then optionally a line "--ARGS--" and one argument per
// line after "sluiced". An argument "@config" stands for the config file's path. HOME is a
// temporary folder holding the file as HOME/sluiced.conf, so both the default config and
// --config are reached.
#include "fuzzsupport.h"

#include "app/servicelogger.h"
#include "app/serviceoptions.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>

using namespace sluice;

namespace {

QString home;
QString configPath;
qint64 stamp = 0;

bool inRange(double v, double min, double max)
{
    return v >= min && v <= max;
}

void checkOptions(const ServiceOptions &o)
{
    FUZZ_CHECK(!o.home.isEmpty());
    FUZZ_CHECK(!o.agentCommand.isEmpty());
    FUZZ_CHECK(inRange(o.drainTimeoutS, 0, 7 * 86400));
    FUZZ_CHECK(inRange(o.interruptGraceS, 0, 3600));
    FUZZ_CHECK(o.maxConcurrent >= 1 && o.maxConcurrent <= 10000);
    FUZZ_CHECK(o.httpPort >= -1 && o.httpPort <= 65535);
    FUZZ_CHECK(!o.httpAddress.isEmpty());
    FUZZ_CHECK(ServiceLogger::isValidLevel(o.logLevel));
    FUZZ_CHECK(o.drainMarkerTtlS >= 0 && o.drainMarkerTtlS <= qint64(100) * 365 * 86400);
    FUZZ_CHECK(inRange(o.lockWaitS, 0, 3600));
    FUZZ_CHECK(o.logMaxBytes >= 4096 && o.logMaxBytes <= qint64(1) << 40);
    FUZZ_CHECK(o.logKeep >= 0 && o.logKeep <= 100);
    FUZZ_CHECK(o.ipcMaxPendingBytes >= 4096 && o.ipcMaxPendingBytes <= qint64(1) << 32);
    for (double t : {o.ipcStallTimeoutS, o.httpIdleTimeoutS, o.httpRequestTimeoutS})
        FUZZ_CHECK(inRange(t, 0.1, 3600));
    FUZZ_CHECK(QStringList({QStringLiteral("auto"), QStringLiteral("cgroup"),
                            QStringLiteral("process-group"), QStringLiteral("job-object")})
                   .contains(o.containment));
    FUZZ_CHECK(o.turnMemoryMaxBytes == 0 || o.turnMemoryMaxBytes >= 1024 * 1024);
    FUZZ_CHECK(o.turnPidsMax >= 0 && o.turnPidsMax <= 4194304);
    FUZZ_CHECK(o.turnCpuMax == 0 || inRange(o.turnCpuMax, 0.01, 4096));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz::quietQt();
    // QCommandLineParser's help text asks the application for its name.
    static QCoreApplication app(*argc, *argv);
    static QTemporaryDir dir(fuzz::scratchTemplate()); // removed at exit
    if (!dir.isValid())
        std::abort();
    home = dir.path();
    configPath = dir.filePath(QStringLiteral("sluiced.conf"));
    qputenv("SLUICE_HOME", home.toLocal8Bit()); // never the real user's HOME
    stamp = QDateTime::currentMSecsSinceEpoch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    const qsizetype split = input.indexOf("--ARGS--\n");
    const QByteArray config = split < 0 ? input : input.left(split);
    QStringList arguments{QStringLiteral("sluiced")};
    if (split >= 0) {
        const QList<QByteArray> lines = input.mid(split + 9).split('\n');
        for (const QByteArray &line : lines) {
            const QString a = QString::fromUtf8(line);
            arguments << (a == QLatin1String("@config") ? configPath : a);
        }
    }

    {
        QFile f(configPath);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(config) != f.size())
            std::abort();
        // QSettings keeps parsed files by name and reparses only when the size or the mtime
        // changed: a new mtime per input keeps the runs repeatable.
        f.setFileTime(QDateTime::fromMSecsSinceEpoch(++stamp), QFileDevice::FileModificationTime);
    }

    ServiceOptions options;
    const ServiceOptions::ParseResult r = ServiceOptions::parse(arguments, &options);
    switch (r.outcome) {
    case ServiceOptions::Outcome::Run:
        checkOptions(options);
        FUZZ_CHECK(options.arguments == arguments);
        break;
    case ServiceOptions::Outcome::ExitOk:
    case ServiceOptions::Outcome::UsageError:
        FUZZ_CHECK(!r.message.isEmpty());
        break;
    }

    // The agent command splitter on its own, with the raw input as one command line.
    QStringList words;
    QString error;
    if (!ServiceOptions::splitShellWords(QString::fromUtf8(config), &words, &error))
        FUZZ_CHECK(!error.isEmpty());
    return 0;
}
