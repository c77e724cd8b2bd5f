#include "sluice/atomicjson.h"
#include "testhelpers.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

using namespace sluice;
using namespace sluice::test;

class TestAtomicJson : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString file(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void writeAndReadBack()
    {
        const QJsonObject o{{"a", 1}, {"b", "two"}, {"c", QJsonObject{{"d", true}}}};
        QString error;
        QVERIFY2(writeJsonAtomically(file("x.json"), o, &error), qPrintable(error));
        const JsonFile r = readJsonFile(file("x.json"));
        QCOMPARE(r.status, JsonFile::Status::Object);
        QVERIFY(r.exists());
        QVERIFY(r.isObject());
        QCOMPARE(r.object, o);
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
    }

    void replacesExisting()
    {
        QVERIFY(writeJsonAtomically(file("r.json"), {{"v", 1}}));
        QVERIFY(writeJsonAtomically(file("r.json"), {{"v", 2}}));
        QCOMPARE(readJsonFile(file("r.json")).object.value("v").toInt(), 2);
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
    }

    void rawBytes()
    {
        QVERIFY(writeFileAtomically(file("raw"), QByteArray("hello\0world", 11)));
        QFile f(file("raw"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("hello\0world", 11));
        QVERIFY(writeFileAtomically(file("empty"), QByteArray()));
        QCOMPARE(QFileInfo(file("empty")).size(), 0);
    }

    void badFolderReportsErrorAndKeepsOldFile()
    {
        QString error;
        QVERIFY(!writeJsonAtomically(m_dir.filePath(QStringLiteral("no/such/dir/x.json")),
                                     {{"a", 1}}, &error));
        QVERIFY(!error.isEmpty());
#ifdef Q_OS_UNIX
        if (::geteuid() == 0)
            QSKIP("root ignores folder permissions");
        const QString sub = m_dir.filePath(QStringLiteral("ro"));
        QVERIFY(QDir().mkpath(sub));
        const QString target = sub + QStringLiteral("/keep.json");
        QVERIFY(writeJsonAtomically(target, {{ "old", true }}));
        QVERIFY(QFile::setPermissions(sub, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        error.clear();
        QVERIFY(!writeJsonAtomically(target, {{ "new", true }}, &error));
        QVERIFY(error.contains(QStringLiteral("ermission"))); // strerror text
        QVERIFY(QFile::setPermissions(sub, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                               QFileDevice::ExeOwner));
        QCOMPARE(readJsonFile(target).object, QJsonObject({{ "old", true }}));
        QCOMPARE(tempLeftovers(sub), QStringList());
#endif
    }

    void targetIsAFolderKeepsItAndLeavesNoTemp()
    {
        // rename() onto a non-empty folder fails late (after write + fsync): the temp must go.
        const QString target = m_dir.filePath(QStringLiteral("adir"));
        QVERIFY(QDir().mkpath(target + QStringLiteral("/inside")));
        QString error;
        QVERIFY(!writeJsonAtomically(target, {{"a", 1}}, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(QFileInfo(target).isDir());
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
    }

#ifdef Q_OS_UNIX
    void writeFailureMidwayReportsErrorAndKeepsOldFile()
    {
        // Stands in for a full disk: RLIMIT_FSIZE makes write() fail part-way (EFBIG) exactly
        // where ENOSPC would. SIGXFSZ is ignored so the failure arrives as an error code.
        const QString target = file("big.json");
        QVERIFY(writeJsonAtomically(target, {{ "old", true }}));
        struct rlimit saved;
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
        const auto oldHandler = ::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = saved;
        small.rlim_cur = 4096;
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        QString error;
        const bool ok = writeFileAtomically(target, QByteArray(1 << 20, 'x'), &error);
        ::setrlimit(RLIMIT_FSIZE, &saved);
        ::signal(SIGXFSZ, oldHandler);
        QVERIFY(!ok);
        QVERIFY2(error.contains(QStringLiteral("write")), qPrintable(error));
        QVERIFY2(error.contains(QString::fromLocal8Bit(std::strerror(EFBIG))), qPrintable(error));
        QCOMPARE(readJsonFile(target).object, QJsonObject({{ "old", true }}));
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
    }
#endif

    void ownerOnlyMode()
    {
#ifdef Q_OS_UNIX
        const mode_t old = ::umask(0);
        QVERIFY(writeJsonAtomically(file("secret.json"),
                                    {{ "t",
                                       "x" }},
                                    nullptr, FileMode::OwnerOnly));
        QVERIFY(writeJsonAtomically(file("public.json"), {{ "t", "x" }}));
        ::umask(old);
        struct stat st;
        QCOMPARE(::stat(QFile::encodeName(file("secret.json")).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        QCOMPARE(::stat(QFile::encodeName(file("public.json")).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0644);
#else
        QSKIP("Unix modes only");
#endif
    }

    void readCases_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("status");
        using S = JsonFile::Status;
        QTest::newRow("empty") << QByteArray() << int(S::NotJson);
        QTest::newRow("whitespace") << QByteArray(" \n\t") << int(S::NotJson);
        QTest::newRow("truncated") << QByteArray(R"({"a":1,"b":)") << int(S::NotJson);
        QTest::newRow("garbage") << QByteArray("\x01\x02garbage\xff") << int(S::NotJson);
        QTest::newRow("array") << QByteArray("[1,2,3]") << int(S::NotObject);
        QTest::newRow("number") << QByteArray("42") << int(S::NotObject);
        QTest::newRow("string") << QByteArray("\"s\"") << int(S::NotObject);
        QTest::newRow("object") << QByteArray(R"({"a":1})") << int(S::Object);
        QTest::newRow("object spaced") << QByteArray("{\n  \"a\" : 1\n}\n") << int(S::Object);
    }
    void readCases()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, status);
        QVERIFY(writeRaw(file("case.json"), content));
        const JsonFile r = readJsonFile(file("case.json"));
        QCOMPARE(int(r.status), status);
        QVERIFY(r.exists());
        if (r.status != JsonFile::Status::Object)
            QVERIFY(!r.error.isEmpty());
    }

    void readAbsent()
    {
        const JsonFile r = readJsonFile(file("nope.json"));
        QCOMPARE(r.status, JsonFile::Status::Absent);
        QVERIFY(!r.exists());
    }

    void readUnreadable()
    {
        // A folder exists but cannot be read as a file.
        QVERIFY(QDir().mkpath(file("dir.json")));
        const JsonFile dir = readJsonFile(file("dir.json"));
        QVERIFY(dir.status == JsonFile::Status::Unreadable ||
                dir.status == JsonFile::Status::NotJson);
        QVERIFY(dir.exists());
#ifdef Q_OS_UNIX
        if (::geteuid() == 0)
            QSKIP("root can read anything");
        QVERIFY(writeRaw(file("locked.json"), "{}"));
        QVERIFY(QFile::setPermissions(file("locked.json"), QFileDevice::WriteOwner));
        QCOMPARE(readJsonFile(file("locked.json")).status, JsonFile::Status::Unreadable);
#endif
    }

    void isoUtc()
    {
        const QString now = isoUtcNow();
        QVERIFY(now.endsWith(QLatin1Char('Z')));
        const QDateTime parsed = QDateTime::fromString(now, Qt::ISODateWithMs);
        QVERIFY(parsed.isValid());
        QVERIFY(qAbs(parsed.secsTo(QDateTime::currentDateTimeUtc())) < 5);
        const QDateTime t(QDate(2026, 11, 23), QTime(9, 30, 0, 123), Qt::UTC);
        QCOMPARE(toIsoUtc(t), QStringLiteral("2026-11-23T09:30:00.123Z"));
        QCOMPARE(toIsoUtc(t.toOffsetFromUtc(3600)), QStringLiteral("2026-11-23T09:30:00.123Z"));
    }
};

QTEST_GUILESS_MAIN(TestAtomicJson)
#include "tst_atomicjson.moc"
