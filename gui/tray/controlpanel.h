#pragma once
#include "core/traypresentation.h"

#include <QJsonObject>
#include <QMainWindow>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QTableView;
class QPushButton;
class QToolButton;

namespace sluice::gui {

class AgentsModel;
class LogTail;
class ServiceConnection;
class ShutdownTimeline;
class TrayActions;

// The control panel window: state header, the action buttons, a live table of active agents,
// drain progress toward zero, the service-manager alignment warning with its fix, the last
// shutdown's phases as a timeline, and the recent service log.
class ControlPanel : public QMainWindow
{
    Q_OBJECT
public:
    ControlPanel(ServiceConnection *connection, AgentsModel *agents, TrayActions *actions,
                 QWidget *parent = nullptr);

    // When there is no tray, closing the window quits; otherwise it only hides.
    void setQuitOnClose(bool on) { m_quitOnClose = on; }

    void raiseWindow(); // show, un-minimise, raise, activate

    // The warning for status.supervisor (with its fix), or empty when aligned or unknown.
    static QString alignmentWarningText(const QJsonObject &status);

    // For tests and screenshots.
    QLabel *stateLabel() const { return m_stateLabel; }
    QLabel *messageLabel() const { return m_messageLabel; }
    QLabel *alignmentWarning() const { return m_alignment; }
    QProgressBar *drainProgress() const { return m_drainProgress; }
    QTableView *agentsView() const { return m_agentsView; }
    QPlainTextEdit *logView() const { return m_log; }

public Q_SLOTS:
    void showMessage(const QString &text, bool isError);
    void applyPresentation(const sluice::gui::TrayPresentation &p);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void updateStatus();
    void updateDrainProgress();
    void interruptSelected();
    void scrollLogToEnd();

    ServiceConnection *m_conn;
    AgentsModel *m_agents;
    TrayActions *m_actions;
    QLabel *m_iconLabel;
    QLabel *m_stateLabel;
    QLabel *m_detailLabel;
    QLabel *m_messageLabel;
    QLabel *m_alignment;
    QProgressBar *m_drainProgress;
    QLabel *m_drainLabel;
    QTableView *m_agentsView;
    QPushButton *m_interrupt;
    ShutdownTimeline *m_timeline;
    QLabel *m_timelineSummary;
    QPlainTextEdit *m_log;
    LogTail *m_logTail;
    QStringList m_messages;     // newest first
    int m_drainStartCount = -1; // active count when the drain began (-1: not draining)
    bool m_quitOnClose = false;
};

} // namespace sluice::gui
