#include "tray/shutdowntimeline.h"

#include <QJsonArray>
#include <QPainter>

namespace sluice::gui {

static constexpr int RowHeight = 20;
static constexpr int Margin = 6;

ShutdownTimeline::ShutdownTimeline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ShutdownTimeline::setReport(const QJsonObject &report)
{
    m_phases.clear();
    m_total = report.value(QLatin1String("total_s")).toDouble();
    const QJsonArray phases = report.value(QLatin1String("phases")).toArray();
    for (const QJsonValue &v : phases) {
        const QJsonObject o = v.toObject();
        Phase p{o.value(QLatin1String("name")).toString(),
                o.value(QLatin1String("at_s")).toDouble(),
                o.value(QLatin1String("duration_s")).toDouble()};
        m_phases.append(p);
        m_total = qMax(m_total, p.atS + p.durationS);
    }
    if (m_phases.isEmpty()) {
        m_summary = tr("No shutdown recorded yet.");
    } else {
        const QJsonValue interrupted = report.value(QLatin1String("interrupted"));
        QString what;
        if (interrupted.isBool())
            what = interrupted.toBool() ? tr("turns were interrupted") : tr("nothing interrupted");
        else
            what = tr("%1 interrupted").arg(interrupted.toInt());
        m_summary = tr("Last stop: %1, exit code %2, %3 s in total, %4")
                        .arg(report.value(QLatin1String("cause")).toString(QStringLiteral("?")))
                        .arg(report.value(QLatin1String("exit_code")).toInt())
                        .arg(m_total, 0, 'f', 2)
                        .arg(what);
        const QString started = report.value(QLatin1String("started_at")).toString();
        if (!started.isEmpty())
            m_summary += QLatin1Char(' ') + tr("(started %1)").arg(started);
    }
    updateGeometry();
    update();
}

QSize ShutdownTimeline::sizeHint() const
{
    return {480, Margin * 2 + RowHeight * int(qMax<qsizetype>(1, m_phases.size()))};
}

QSize ShutdownTimeline::minimumSizeHint() const
{
    return {240, sizeHint().height()};
}

void ShutdownTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    if (m_phases.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(Margin, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, m_summary);
        return;
    }
    const QFontMetrics fm(font());
    int nameW = 0;
    for (const Phase &ph : m_phases)
        nameW = qMax(nameW, fm.horizontalAdvance(ph.name));
    const int durW = fm.horizontalAdvance(QStringLiteral("00.000 s"));
    const int barX = Margin + nameW + 10;
    const int barW = qMax(40, width() - barX - durW - 2 * Margin);
    const double scale = m_total > 0 ? barW / m_total : 0;
    const QColor barColor = pal.color(QPalette::Highlight);

    for (int i = 0; i < m_phases.size(); ++i) {
        const Phase &ph = m_phases.at(i);
        const int y = Margin + i * RowHeight;
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRect(Margin, y, nameW, RowHeight), Qt::AlignVCenter | Qt::AlignLeft, ph.name);
        // The track, then the phase's own span; a zero-length phase still gets a visible tick.
        p.setPen(Qt::NoPen);
        p.setBrush(pal.color(QPalette::AlternateBase));
        p.drawRect(QRect(barX, y + 5, barW, RowHeight - 10));
        const int x0 = barX + int(ph.atS * scale);
        const int w = qMax(3, int(ph.durationS * scale));
        p.setBrush(barColor);
        p.drawRoundedRect(QRect(qMin(x0, barX + barW - 3), y + 4, w, RowHeight - 8), 2, 2);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRect(barX + barW + Margin, y, durW, RowHeight),
                   Qt::AlignVCenter | Qt::AlignRight, tr("%1 s").arg(ph.durationS, 0, 'f', 3));
    }
}

} // namespace sluice::gui
