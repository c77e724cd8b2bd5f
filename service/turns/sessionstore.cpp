#include "turns/sessionstore.h"

#include "app/daemonlogging.h"

#include "sluice/atomicjson.h"

#include <QAtomicInt>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace sluice {

namespace {
QAtomicInt g_connectionCounter;

QVariant iso(const QDateTime &t)
{
    return t.isValid() ? QVariant(toIsoUtc(t)) : QVariant(QMetaType(QMetaType::QString));
}

QDateTime fromIso(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}
} // namespace

SessionStore::SessionStore(QObject *parent)
    : QObject(parent)
    , m_connection(QStringLiteral("sluice-store-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)))
{}

SessionStore::~SessionStore()
{
    close();
}

bool SessionStore::open(const QString &path, QString *error)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
        if (!db.open()) {
            if (error)
                *error = db.lastError().text();
            qCCritical(lcStore) << "cannot open" << path << ":" << db.lastError().text();
            return false;
        }
    }
    const QStringList schema = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS sessions ("
                       " name TEXT PRIMARY KEY, created_at TEXT, last_turn_at TEXT,"
                       " resume_pending INTEGER NOT NULL DEFAULT 0)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS turns ("
                       " id TEXT PRIMARY KEY, session TEXT NOT NULL, text TEXT,"
                       " state TEXT NOT NULL, exit_code INTEGER, output BLOB,"
                       " truncated INTEGER NOT NULL DEFAULT 0, created_at TEXT,"
                       " started_at TEXT, finished_at TEXT,"
                       " internal INTEGER NOT NULL DEFAULT 0,"
                       " resume_pending INTEGER NOT NULL DEFAULT 0)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS turns_session ON turns(session)"),
    };
    for (const QString &sql : schema) {
        if (!exec(sql)) {
            if (error)
                *error = QStringLiteral("cannot prepare the schema of %1").arg(path);
            close();
            return false;
        }
    }
    qCInfo(lcStore) << "opened" << path;
    return true;
}

void SessionStore::close()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    qCInfo(lcStore) << "closed";
}

bool SessionStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection) &&
           QSqlDatabase::database(m_connection, false).isOpen();
}

bool SessionStore::exec(const QString &sql, const QVariantList &binds) const
{
    if (!isOpen())
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.prepare(sql)) {
        qCWarning(lcStore) << "prepare failed:" << q.lastError().text() << sql;
        return false;
    }
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec()) {
        qCWarning(lcStore) << "query failed:" << q.lastError().text() << sql;
        return false;
    }
    return true;
}

int SessionStore::recoverUnfinished()
{
    if (!isOpen())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE turns SET state='interrupted', finished_at=? "
                             "WHERE state IN ('queued','running')"));
    q.addBindValue(isoUtcNow());
    if (!q.exec())
        return 0;
    const int n = q.numRowsAffected();
    if (n > 0)
        qCInfo(lcStore) << n << "turns left unfinished by the previous process marked interrupted";
    return n;
}

void SessionStore::recordQueued(const TurnInfo &t)
{
    exec(QStringLiteral("INSERT INTO sessions(name, created_at, last_turn_at) VALUES(?,?,?) "
                        "ON CONFLICT(name) DO UPDATE SET last_turn_at=excluded.last_turn_at"),
         {t.session, iso(t.createdAt), iso(t.createdAt)});
    exec(QStringLiteral("INSERT OR REPLACE INTO turns(id, session, text, state, created_at, "
                        "internal, resume_pending) VALUES(?,?,?,?,?,?,?)"),
         {t.id, t.session, t.text, wireName(t.state), iso(t.createdAt), int(t.internal),
          int(t.resumePending)});
}

void SessionStore::recordStarted(const TurnInfo &t)
{
    exec(QStringLiteral("UPDATE turns SET state=?, started_at=? WHERE id=?"),
         {wireName(t.state), iso(t.startedAt), t.id});
}

void SessionStore::recordFinished(const TurnInfo &t)
{
    exec(QStringLiteral("UPDATE turns SET state=?, exit_code=?, output=?, truncated=?, "
                        "started_at=?, finished_at=? WHERE id=?"),
         {wireName(t.state),
          t.exitCode ? QVariant(*t.exitCode) : QVariant(QMetaType(QMetaType::Int)), t.output,
          int(t.truncated), iso(t.startedAt), iso(t.finishedAt), t.id});
}

std::optional<TurnInfo> SessionStore::loadTurn(const QString &id) const
{
    if (!isOpen())
        return std::nullopt;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT id, session, text, state, exit_code, output, truncated, "
                             "created_at, started_at, finished_at, internal, resume_pending "
                             "FROM turns WHERE id=?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    TurnInfo t;
    t.id = q.value(0).toString();
    t.session = q.value(1).toString();
    t.text = q.value(2).toString();
    fromWireName(q.value(3).toString(), &t.state);
    if (!q.value(4).isNull())
        t.exitCode = q.value(4).toInt();
    t.output = q.value(5).toByteArray();
    t.truncated = q.value(6).toInt() != 0;
    t.createdAt = fromIso(q.value(7));
    t.startedAt = fromIso(q.value(8));
    t.finishedAt = fromIso(q.value(9));
    t.internal = q.value(10).toInt() != 0;
    t.resumePending = q.value(11).toInt() != 0;
    return t;
}

void SessionStore::setResumePending(const QString &session, const QString &turnId, bool pending)
{
    if (!turnId.isEmpty())
        exec(QStringLiteral("UPDATE turns SET resume_pending=? WHERE id=?"),
             {int(pending), turnId});
    if (!session.isEmpty())
        exec(QStringLiteral("UPDATE sessions SET resume_pending=? WHERE name=?"),
             {int(pending), session});
}

QList<TurnInfo> SessionStore::resumePendingTurns() const
{
    QList<TurnInfo> result;
    if (!isOpen())
        return result;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT id FROM turns WHERE resume_pending=1 "
                               "ORDER BY created_at, rowid")))
        return result;
    QStringList ids;
    while (q.next())
        ids << q.value(0).toString();
    for (const QString &id : std::as_const(ids)) {
        if (auto t = loadTurn(id))
            result << *t;
    }
    return result;
}

QStringList SessionStore::resumePendingSessions() const
{
    QStringList result;
    if (!isOpen())
        return result;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT name FROM sessions WHERE resume_pending=1 ORDER BY name")))
        return result;
    while (q.next())
        result << q.value(0).toString();
    return result;
}

int SessionStore::clearResumeOfFinished()
{
    if (!isOpen())
        return 0;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.exec(QStringLiteral("UPDATE turns SET resume_pending=0 WHERE resume_pending=1 "
                          "AND state IN ('done','failed')"));
    const int n = q.numRowsAffected();
    exec(QStringLiteral("UPDATE sessions SET resume_pending=0 WHERE resume_pending=1 AND NOT "
                        "EXISTS (SELECT 1 FROM turns WHERE turns.session=sessions.name AND "
                        "turns.resume_pending=1)"));
    return qMax(0, n);
}

} // namespace sluice
