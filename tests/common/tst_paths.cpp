#include "sluice/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using namespace sluice;

class TestPaths : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void resolveOrder()
    {
        const QByteArray saved = qgetenv("SLUICE_HOME");
        qputenv("SLUICE_HOME", "/tmp/from-env");
        QCOMPARE(HomePaths::resolveHome(QStringLiteral("/tmp/from-option")),
                 QStringLiteral("/tmp/from-option"));
        QCOMPARE(HomePaths::resolveHome(QString()), QStringLiteral("/tmp/from-env"));
        qunsetenv("SLUICE_HOME");
        const QString fallback = HomePaths::resolveHome(QString());
        QVERIFY(!fallback.isEmpty());
        QVERIFY(QDir::isAbsolutePath(fallback));
        QVERIFY(fallback.endsWith(QStringLiteral("/sluice")));
        qputenv("SLUICE_HOME", saved);
    }

    void relativeOptionMadeAbsoluteAndClean()
    {
        const QString h = HomePaths::resolveHome(QStringLiteral("some/../rel/./home/"));
        QCOMPARE(h, QDir::cleanPath(QDir::currentPath() + QStringLiteral("/rel/home")));
#ifdef Q_OS_WIN
        // A rooted path without a drive is on the current drive ("Z:/a/c" under Wine).
        const QString expected = QDir::currentPath().left(2) + QStringLiteral("/a/c");
#else
        const QString expected = QStringLiteral("/a/c");
#endif
        QCOMPARE(HomePaths(QStringLiteral("/a/b/../c/")).home(), expected);
    }

    void everyFileName()
    {
        const HomePaths p(QStringLiteral("/h"));
        QCOMPARE(p.lockFile(), QStringLiteral("/h/gateway.lock"));
        QCOMPARE(p.stateFile(), QStringLiteral("/h/gateway_state.json"));
        QCOMPARE(p.drainMarker(), QStringLiteral("/h/.drain_request.json"));
        QCOMPARE(p.plannedStopMarker(), QStringLiteral("/h/.gateway-planned-stop.json"));
        QCOMPARE(p.restartPending(), QStringLiteral("/h/.restart_pending.json"));
        QCOMPARE(p.cleanShutdown(), QStringLiteral("/h/.clean_shutdown"));
        QCOMPARE(p.stateDb(), QStringLiteral("/h/state.db"));
        QCOMPARE(p.controlToken(), QStringLiteral("/h/control.token"));
        QCOMPARE(p.configFile(), QStringLiteral("/h/sluiced.conf"));
        QCOMPARE(p.logsDir(), QStringLiteral("/h/logs"));
        QCOMPARE(p.serviceLog(), QStringLiteral("/h/logs/sluiced.log"));
        QCOMPARE(p.diagLog(), QStringLiteral("/h/logs/gateway-shutdown-diag.log"));
        QCOMPARE(p.lastShutdown(), QStringLiteral("/h/logs/last-shutdown.json"));
        QCOMPARE(p.file("x"), QStringLiteral("/h/x"));
    }

    void ensureHomeCreatesPrivateFolders()
    {
        QTemporaryDir tmp;
        const HomePaths p(tmp.path() + QStringLiteral("/a/b/home"));
        QString error;
        QVERIFY2(p.ensureHome(&error), qPrintable(error));
        QVERIFY(QFileInfo(p.home()).isDir());
        QVERIFY(QFileInfo(p.logsDir()).isDir());
#ifdef Q_OS_UNIX
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(p.home()).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
        // An existing HOME keeps its mode (it may be a folder the user chose, e.g. ~).
        QVERIFY(QFile::setPermissions(p.home(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                    QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                                    QFileDevice::ExeOther));
        QVERIFY(p.ensureHome());
        QCOMPARE(::stat(QFile::encodeName(p.home()).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0705);
#endif
    }

    void ensureHomeFailsWithMessage()
    {
        QTemporaryDir tmp;
        const QString blocker = tmp.path() + QStringLiteral("/file");
        QFile f(blocker);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QString error;
        QVERIFY(!HomePaths(blocker + QStringLiteral("/home")).ensureHome(&error));
        QVERIFY(!error.isEmpty());
    }

#ifdef Q_OS_UNIX
    void socketInHomeWhenShort()
    {
        QTemporaryDir tmp;
        const HomePaths p(tmp.path());
        const QString s = p.defaultSocketPath();
        QCOMPARE(s, tmp.path() + QStringLiteral("/run/sluiced.sock"));
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(tmp.path() + QStringLiteral("/run")).constData(), &st),
                 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
        // The socket folder is narrowed back to 0700 when it exists with wider rights.
        const QString run = tmp.path() + QStringLiteral("/run");
        QVERIFY(QFile::setPermissions(run, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                               QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                               QFileDevice::ExeOther));
        QCOMPARE(p.defaultSocketPath(), s);
        QCOMPARE(::stat(QFile::encodeName(run).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
    }

    void socketInTempWhenLong()
    {
        QTemporaryDir tmp;
        const QString longHome = tmp.path() + QLatin1Char('/') + QString(120, QLatin1Char('h'));
        const HomePaths p(longHome);
        const QString s = p.defaultSocketPath();
        QVERIFY(s.toUtf8().size() < 100);
        QVERIFY(s.startsWith(QDir::tempPath() + QStringLiteral("/sluice-")));
        QVERIFY(s.endsWith(QStringLiteral(".sock")));
        QCOMPARE(HomePaths(longHome).defaultSocketPath(), s); // stable
        QVERIFY(HomePaths(longHome + QStringLiteral("2")).defaultSocketPath() != s);
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(QFileInfo(s).absolutePath()).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
    }
#endif
};

QTEST_GUILESS_MAIN(TestPaths)
#include "tst_paths.moc"
