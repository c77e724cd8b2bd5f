#pragma once
#include <QJsonObject>
#include <QVector>
#include <QWidget>

namespace sluice::gui {

// The last stop's phases (logs/last-shutdown.json via `shutdown_report`) as a timeline: one row
// per phase with its name, a bar from at_s to at_s + duration_s on a shared time axis, and the
// duration. Painted by hand: small, no dependencies.
class ShutdownTimeline : public QWidget
{
    Q_OBJECT
public:
    struct Phase
    {
        QString name;
        double atS = 0;
        double durationS = 0;
    };

    explicit ShutdownTimeline(QWidget *parent = nullptr);

    void setReport(const QJsonObject &report);
    QVector<Phase> phases() const { return m_phases; }
    QString summary() const { return m_summary; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QVector<Phase> m_phases;
    double m_total = 0;
    QString m_summary;
};

} // namespace sluice::gui
