#include "sluice/lifecyclemarkers.h"
#include "sluice/paths.h"
#include "testhelpers.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sluice;
using namespace sluice::test;

class TestLifecycleMarkers : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    HomePaths paths() const { return HomePaths(m_dir.path()); }

private Q_SLOTS:
    void restartPendingRoundTrip()
    {
        const QString path = paths().restartPending();
        QCOMPARE(path, m_dir.path() + QStringLiteral("/.restart_pending.json"));
        QVERIFY(!RestartPending::read(path).has_value());
        RestartPending r;
        r.viaService = true;
        r.force = true;
        QString error;
        QVERIFY2(RestartPending::write(path, r, &error), qPrintable(error));
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
        const std::optional<RestartPending> back = RestartPending::read(path);
        QVERIFY(back.has_value());
        QVERIFY(back->viaService);
        QVERIFY(back->force);
        QVERIFY(!back->requestedAt.isEmpty()); // stamped when left empty
        QVERIFY(QDateTime::fromString(back->requestedAt, Qt::ISODateWithMs).isValid());
        const QJsonObject json = readJsonFile(path).object;
        QCOMPARE(json.keys(), QStringList({"force", "requested_at", "via_service"}));
        QVERIFY(RestartPending::remove(path));
        QVERIFY(!RestartPending::remove(path));
        QVERIFY(!RestartPending::read(path).has_value());
    }

    void restartPendingKeepsGivenTime()
    {
        RestartPending r;
        r.requestedAt = QStringLiteral("2026-01-02T03:04:05.006Z");
        QVERIFY(RestartPending::write(paths().restartPending(), r));
        QCOMPARE(RestartPending::read(paths().restartPending())->requestedAt, r.requestedAt);
        QVERIFY(!RestartPending::read(paths().restartPending())->force);
    }

    void corruptRestartPendingStillCounts()
    {
        QVERIFY(writeRaw(paths().restartPending(), "{\"force\": tr"));
        const std::optional<RestartPending> r = RestartPending::read(paths().restartPending());
        QVERIFY(r.has_value());
        QVERIFY(!r->force);
        QVERIFY(writeRaw(paths().restartPending(), ""));
        QVERIFY(RestartPending::read(paths().restartPending()).has_value());
    }

    void cleanShutdown()
    {
        const QString path = paths().cleanShutdown();
        QCOMPARE(path, m_dir.path() + QStringLiteral("/.clean_shutdown"));
        QVERIFY(!CleanShutdown::isPresent(path));
        QVERIFY(!CleanShutdown::clear(path));
        QString error;
        QVERIFY2(CleanShutdown::mark(path, &error), qPrintable(error));
        QVERIFY(CleanShutdown::isPresent(path));
        QCOMPARE(QFileInfo(path).size(), 0);
        QVERIFY(CleanShutdown::mark(path)); // idempotent
        QVERIFY(CleanShutdown::clear(path));
        QVERIFY(!CleanShutdown::isPresent(path));
        QVERIFY(!CleanShutdown::clear(path));
        QVERIFY(!CleanShutdown::mark(m_dir.path() + QStringLiteral("/missing/dir/x"), &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLifecycleMarkers)
#include "tst_lifecyclemarkers.moc"
