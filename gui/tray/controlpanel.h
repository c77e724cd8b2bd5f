#pragma once
#include "core/traypresentation.h"

#include <QJsonObject>
#include <QMainWindow>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QToolButton;

namespace sluice::gui {

class AgentsModel;
class FollowingTail;
class LogTail;
class OutputView;
class ServiceConnection;
class ShutdownTimeline;
class TrayActions;
class TurnHistory;
class TurnOutput;

// The control panel window. Above: the state header with the actions, recent action results,
// banners that explain a first run (with Start) and a drain left from before the last stop
// (with Cancel drain), the service-manager alignment warning, drain progress. Below, in tabs:
// the active agents with the queue and the selected turn's live output; the recent turns
// (filter by session, open one to read its whole output); the last shutdown's timeline; the
// service log. Fits 800×500 logical pixels.
class ControlPanel : public QMainWindow
{
    Q_OBJECT
public:
    ControlPanel(ServiceConnection *connection, AgentsModel *agents, TrayActions *actions,
                 QWidget *parent = nullptr);
    ~ControlPanel() override;

    // When there is no tray, closing the window quits; otherwise it only hides.
    void setQuitOnClose(bool on) { m_quitOnClose = on; }

    void raiseWindow();  // show, un-minimise, raise, activate; fits it on its screen
    void toggleWindow(); // raise, or hide when it is the active window already

    // The warning for status.supervisor (with its fix), or empty when aligned or unknown.
    static QString alignmentWarningText(const QJsonObject &status);
    // The explanation of a drain left from before the last stop, or empty (status.drain.leftover).
    static QString leftoverDrainText(const QJsonObject &status);

    // Shows turnId's output (live while it runs) in the agents tab.
    void showTurn(const QString &turnId);

    // For tests and screenshots.
    QLabel *stateLabel() const { return m_stateLabel; }
    QLabel *messageLabel() const { return m_messageLabel; }
    QLabel *alignmentWarning() const { return m_alignment; }
    QLabel *firstRunBanner() const { return m_firstRun; }
    QLabel *drainOriginBanner() const { return m_drainOrigin; }
    QLabel *predecessorBanner() const { return m_predecessor; }
    // "The previous process finishes N turns..." for a status with `predecessor`; else empty.
    static QString predecessorText(const QJsonObject &status);
    QProgressBar *drainProgress() const { return m_drainProgress; }
    QTableView *agentsView() const { return m_agentsView; }
    QLabel *queueLabel() const { return m_queueLabel; }
    OutputView *liveOutput() const { return m_liveOutput; }
    QTableView *turnsView() const { return m_turnsView; }
    QComboBox *sessionFilter() const { return m_sessionFilter; }
    OutputView *historyOutput() const { return m_historyOutput; }
    TurnHistory *history() const { return m_history; }
    QPlainTextEdit *logView() const { return m_log; }
    FollowingTail *logFollow() const { return m_logFollow; }
    QTabWidget *tabs() const { return m_tabs; }
    QWidget *buttonRow() const { return m_buttonRow; }

    enum Tab { AgentsTab, HistoryTab, ShutdownTab, LogTab };

public Q_SLOTS:
    void showMessage(const QString &text, bool isError);
    void applyPresentation(const sluice::gui::TrayPresentation &p);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    QWidget *buildAgentsTab();
    QWidget *buildHistoryTab();
    QWidget *buildShutdownTab();
    QWidget *buildLogTab();
    void updateStatus();
    void updateDrainProgress();
    void updateQueue();
    void updateSessions();
    void interruptSelected();
    void fitToScreen();

    ServiceConnection *m_conn;
    AgentsModel *m_agents;
    TrayActions *m_actions;
    TurnHistory *m_history;
    TurnOutput *m_live;
    TurnOutput *m_opened;
    QLabel *m_iconLabel;
    QLabel *m_stateLabel;
    QLabel *m_detailLabel;
    QWidget *m_buttonRow;
    QLabel *m_messageLabel;
    QLabel *m_firstRun;
    QPushButton *m_firstRunStart;
    QWidget *m_firstRunBox;
    QWidget *m_drainOriginBox;
    QLabel *m_drainOrigin;
    QLabel *m_predecessor;
    QLabel *m_alignment;
    QProgressBar *m_drainProgress;
    QLabel *m_drainLabel;
    QTabWidget *m_tabs;
    QTableView *m_agentsView;
    QPushButton *m_interrupt;
    QLabel *m_queueLabel;
    QLabel *m_liveTitle;
    OutputView *m_liveOutput;
    QComboBox *m_sessionFilter;
    QTableView *m_turnsView;
    QLabel *m_historyNote;
    OutputView *m_historyOutput;
    ShutdownTimeline *m_timeline;
    QLabel *m_timelineSummary;
    QPlainTextEdit *m_log;
    FollowingTail *m_logFollow;
    LogTail *m_logTail;
    QStringList m_messages;     // newest first
    int m_drainStartCount = -1; // active count when the drain began (-1: not draining)
    bool m_quitOnClose = false;
    bool m_fitted = false;
};

} // namespace sluice::gui
