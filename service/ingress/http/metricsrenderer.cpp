#include "ingress/http/metricsrenderer.h"

#include "sluice/states.h"

#include <QJsonArray>
#include <QMetaEnum>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <cctype>

namespace sluice::MetricsRenderer {

namespace {
QByteArray number(double v)
{
    if (v == qint64(v))
        return QByteArray::number(qint64(v));
    return QByteArray::number(v, 'g', 12);
}

QByteArray escapeLabel(const QString &v)
{
    QByteArray out = v.toUtf8();
    out.replace('\\', "\\\\");
    out.replace('"', "\\\"");
    out.replace('\n', "\\n");
    return out;
}

QByteArray sanitizeName(const QString &key)
{
    QByteArray out;
    for (const QChar c : key) {
        const char l = c.toLatin1();
        out += (std::isalnum(static_cast<unsigned char>(l)) || l == '_') ? l : '_';
    }
    return out;
}

class Writer
{
public:
    bool has(const QByteArray &name) const { return m_families.contains(name); }
    void family(const QByteArray &name, const QByteArray &type, const QByteArray &help)
    {
        m_families.insert(name);
        m_out += "# HELP " + name + ' ' + help + '\n';
        m_out += "# TYPE " + name + ' ' + type + '\n';
    }
    void sample(const QByteArray &name, double v, const QByteArray &labels = {})
    {
        m_out += name;
        if (!labels.isEmpty())
            m_out += '{' + labels + '}';
        m_out += ' ' + number(v) + '\n';
    }
    QByteArray m_out;
    QSet<QByteArray> m_families;
};

// The first of `keys` present with a number in `o`.
bool pick(const QJsonObject &o, std::initializer_list<const char *> keys, double *out,
          QSet<QString> *used)
{
    for (const char *k : keys) {
        const QString key = QString::fromLatin1(k);
        used->insert(key);
        if (o.value(key).isDouble()) {
            *out = o.value(key).toDouble();
            return true;
        }
    }
    return false;
}
} // namespace

QByteArray contentType()
{
    return "text/plain; version=0.0.4; charset=utf-8";
}

QByteArray render(const QJsonObject &status, const QJsonObject &metrics)
{
    Writer w;
    const QString state = status.value(QStringLiteral("state")).toString();
    w.family("sluice_up", "gauge", "1 while the gateway answers.");
    w.sample("sluice_up", 1);

    w.family("sluice_state", "gauge", "1 for the gateway's current state, 0 for the others.");
    const QMetaEnum states = QMetaEnum::fromType<GatewayState>();
    for (int i = 0; i < states.keyCount(); ++i) {
        const QString s = wireName(GatewayState(states.value(i)));
        w.sample("sluice_state", state == s ? 1 : 0, "state=\"" + s.toLatin1() + '"');
    }

    w.family("sluice_storage_available", "gauge",
             "1 while HOME can be written; 0: new turns are refused (storage_unavailable).");
    w.sample("sluice_storage_available", status.value(QStringLiteral("storage"))
                                                 .toObject()
                                                 .value(QStringLiteral("available"))
                                                 .toBool(true)
                                             ? 1
                                             : 0);

    w.family("sluice_accepting", "gauge", "1 when new turns are accepted.");
    w.sample("sluice_accepting", status.value(QStringLiteral("accepting")).toBool() ? 1 : 0);

    w.family("sluice_active_agents", "gauge", "Turns running now.");
    w.sample("sluice_active_agents", status.value(QStringLiteral("active_agents")).toDouble());

    QSet<QString> used;
    double v = 0;
    w.family("sluice_queued_turns", "gauge", "Turns waiting for a slot or their session.");
    pick(metrics, {"queued_turns", "queued"}, &v, &used);
    w.sample("sluice_queued_turns", v);

    w.family("sluice_turns_total", "counter", "Finished turns since start, by outcome.");
    QJsonObject byOutcome;
    for (const char *k : {"turns_total", "turns_by_outcome", "turns"}) {
        used.insert(QString::fromLatin1(k));
        if (metrics.value(QString::fromLatin1(k)).isObject()) {
            byOutcome = metrics.value(QString::fromLatin1(k)).toObject();
            break;
        }
    }
    QStringList outcomes{QStringLiteral("done"), QStringLiteral("failed"),
                         QStringLiteral("interrupted"), QStringLiteral("refused")};
    for (auto it = byOutcome.constBegin(); it != byOutcome.constEnd(); ++it)
        if (!outcomes.contains(it.key()))
            outcomes << it.key();
    for (const QString &o : outcomes)
        w.sample("sluice_turns_total", byOutcome.value(o).toDouble(),
                 "outcome=\"" + escapeLabel(o) + '"');

    w.family("sluice_last_drain_duration_seconds", "gauge",
             "How long the drain phase of the last stop took (0 when none yet).");
    v = 0;
    pick(metrics, {"last_drain_duration_s", "drain_duration_s", "last_drain_s"}, &v, &used);
    w.sample("sluice_last_drain_duration_seconds", v);

    w.family("sluice_last_stop_duration_seconds", "gauge",
             "How long the last stop took from begin to exit (0 when none yet).");
    v = 0;
    pick(metrics, {"last_stop_duration_s", "stop_duration_s", "last_stop_s"}, &v, &used);
    w.sample("sluice_last_stop_duration_seconds", v);

    w.family("sluice_draining_seconds", "gauge",
             "How long the current (or else the last) drain period has lasted.");
    v = 0;
    pick(metrics, {"drain_period_s", "draining_s", "current_drain_s"}, &v, &used);
    w.sample("sluice_draining_seconds", v);

    w.family("sluice_uptime_seconds", "gauge", "Seconds since the service started.");
    w.sample("sluice_uptime_seconds", status.value(QStringLiteral("uptime_s")).toDouble());
    used.insert(QStringLiteral("uptime_s"));

    // What each running turn's processes use (cgroup containment measures; elsewhere only
    // the process count, or nothing).
    used.insert(QStringLiteral("agents"));
    const QJsonArray agents = metrics.value(QStringLiteral("agents")).toArray();
    const struct
    {
        const char *name;
        const char *type;
        const char *help;
        const char *key;
    } perTurn[] = {
        {"sluice_turn_cpu_seconds_total", "counter", "CPU time of a running turn's processes.",
         "cpu_s"},
        {"sluice_turn_memory_bytes", "gauge", "Memory of a running turn's processes now.",
         "memory_bytes"},
        {"sluice_turn_memory_peak_bytes", "gauge", "Highest memory of a running turn so far.",
         "memory_peak_bytes"},
        {"sluice_turn_processes", "gauge", "Processes of a running turn now.", "processes"},
    };
    for (const auto &m : perTurn) {
        w.family(m.name, m.type, m.help);
        for (const QJsonValue &a : agents) {
            const QJsonObject agent = a.toObject();
            const QJsonValue value =
                agent.value(QStringLiteral("usage")).toObject().value(QLatin1String(m.key));
            if (!value.isDouble())
                continue;
            w.sample(m.name, value.toDouble(),
                     "turn_id=\"" + escapeLabel(agent.value(QStringLiteral("turn_id")).toString()) +
                         "\",session=\"" +
                         escapeLabel(agent.value(QStringLiteral("session")).toString()) + '"');
        }
    }

    // Any further plain number the service reports becomes a gauge of its own, so a new
    // counter shows up without a change here.
    for (auto it = metrics.constBegin(); it != metrics.constEnd(); ++it) {
        if (used.contains(it.key()) || !(it.value().isDouble() || it.value().isBool()))
            continue;
        const QByteArray name = "sluice_" + sanitizeName(it.key());
        if (w.has(name))
            continue;
        w.family(name, "gauge", "Service metric " + sanitizeName(it.key()) + '.');
        w.sample(name, it.value().isBool() ? (it.value().toBool() ? 1 : 0) : it.value().toDouble());
    }
    return w.m_out;
}

} // namespace sluice::MetricsRenderer
