#include "tray/controlpanel.h"

#include "core/agentsmodel.h"
#include "core/logtail.h"
#include "core/serviceconnection.h"
#include "tray/shutdowntimeline.h"
#include "tray/trayactions.h"
#include "tray/trayicons.h"

#include "sluice/paths.h"
#include "sluice/runtimestatus.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTextCursor>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace sluice::gui {

static QToolButton *actionButton(QAction *a, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setDefaultAction(a);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setObjectName(a->objectName() + QStringLiteral("Button"));
    return b;
}

ControlPanel::ControlPanel(ServiceConnection *connection, AgentsModel *agents, TrayActions *actions,
                           QWidget *parent)
    : QMainWindow(parent)
    , m_conn(connection)
    , m_agents(agents)
    , m_actions(actions)
    , m_logTail(new LogTail(HomePaths(connection->home()).serviceLog(), 200, this))
{
    setObjectName(QStringLiteral("controlPanel"));
    setWindowTitle(QStringLiteral("Sluice — control panel"));
    setWindowIcon(TrayIcons::icon(QStringLiteral("running")));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    // Header: icon, state, details, action buttons.
    auto *header = new QHBoxLayout;
    m_iconLabel = new QLabel(central);
    m_iconLabel->setFixedSize(40, 40);
    header->addWidget(m_iconLabel);
    auto *stateBox = new QVBoxLayout;
    m_stateLabel = new QLabel(central);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    QFont big = m_stateLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_stateLabel->setFont(big);
    m_detailLabel = new QLabel(central);
    m_detailLabel->setObjectName(QStringLiteral("detailLabel"));
    m_detailLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    stateBox->addWidget(m_stateLabel);
    stateBox->addWidget(m_detailLabel);
    header->addLayout(stateBox, 1);
    for (QAction *a : {actions->drain(), actions->cancelDrain(), actions->stop(),
                       actions->restart(), actions->forceRestart()})
        header->addWidget(actionButton(a, central));
    layout->addLayout(header);

    m_messageLabel = new QLabel(central);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextFormat(Qt::RichText);
    m_messageLabel->hide();
    layout->addWidget(m_messageLabel);

    m_alignment = new QLabel(central);
    m_alignment->setObjectName(QStringLiteral("alignmentWarning"));
    m_alignment->setWordWrap(true);
    m_alignment->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_alignment->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #4a3500; "
                                              "border: 1px solid #c9a000; padding: 6px; }"));
    m_alignment->hide();
    layout->addWidget(m_alignment);

    // Drain progress: from the active count at drain start down to zero.
    auto *drainRow = new QHBoxLayout;
    m_drainLabel = new QLabel(central);
    m_drainProgress = new QProgressBar(central);
    m_drainProgress->setObjectName(QStringLiteral("drainProgress"));
    drainRow->addWidget(m_drainLabel);
    drainRow->addWidget(m_drainProgress, 1);
    layout->addLayout(drainRow);

    auto *splitter = new QSplitter(Qt::Vertical, central);
    auto *agentsBox = new QGroupBox(QStringLiteral("Active agents"), splitter);
    auto *agentsLayout = new QVBoxLayout(agentsBox);
    m_agentsView = new QTableView(agentsBox);
    m_agentsView->setObjectName(QStringLiteral("agentsView"));
    m_agentsView->setModel(agents);
    m_agentsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_agentsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_agentsView->verticalHeader()->hide();
    m_agentsView->horizontalHeader()->setStretchLastSection(true);
    m_agentsView->horizontalHeader()->setSectionResizeMode(AgentsModel::Session,
                                                           QHeaderView::Stretch);
    m_agentsView->horizontalHeader()->setSectionResizeMode(AgentsModel::TurnId,
                                                           QHeaderView::ResizeToContents);
    agentsLayout->addWidget(m_agentsView);
    m_interrupt = new QPushButton(QStringLiteral("Interrupt selected turn"), agentsBox);
    m_interrupt->setObjectName(QStringLiteral("interruptButton"));
    agentsLayout->addWidget(m_interrupt, 0, Qt::AlignRight);
    connect(m_interrupt, &QPushButton::clicked, this, &ControlPanel::interruptSelected);

    auto *timelineBox = new QGroupBox(QStringLiteral("Last shutdown"), splitter);
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    m_timelineSummary = new QLabel(timelineBox);
    m_timelineSummary->setWordWrap(true);
    m_timeline = new ShutdownTimeline(timelineBox);
    m_timeline->setObjectName(QStringLiteral("shutdownTimeline"));
    timelineLayout->addWidget(m_timelineSummary);
    timelineLayout->addWidget(m_timeline);

    auto *logBox = new QGroupBox(QStringLiteral("Service log (sluiced.log)"), splitter);
    auto *logLayout = new QVBoxLayout(logBox);
    m_log = new QPlainTextEdit(logBox);
    m_log->setObjectName(QStringLiteral("logView"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(200);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    logLayout->addWidget(m_log);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(2, 2);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    resize(860, 680);

    connect(m_conn, &ServiceConnection::statusChanged, this, &ControlPanel::updateStatus);
    connect(m_conn, &ServiceConnection::shutdownReportChanged, this, [this] {
        m_timeline->setReport(m_conn->shutdownReport());
        m_timelineSummary->setText(m_timeline->summary());
    });
    connect(m_agents, &QAbstractItemModel::modelReset, this,
            [this] { m_interrupt->setEnabled(m_agents->rowCount() > 0); });
    connect(m_logTail, &LogTail::reset, this, [this](const QStringList &lines) {
        m_log->setPlainText(lines.join(QLatin1Char('\n')));
    });
    connect(m_logTail, &LogTail::appended, this, [this](const QStringList &lines) {
        const bool atEnd =
            m_log->verticalScrollBar()->value() == m_log->verticalScrollBar()->maximum();
        for (const QString &l : lines)
            m_log->appendPlainText(l);
        if (atEnd)
            m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    });
    m_logTail->start();
    m_timeline->setReport(m_conn->shutdownReport());
    m_timelineSummary->setText(m_timeline->summary());
    m_interrupt->setEnabled(false);
    updateStatus();
}

void ControlPanel::applyPresentation(const TrayPresentation &p)
{
    m_iconLabel->setPixmap(TrayIcons::icon(p.iconKey).pixmap(QSize(40, 40), devicePixelRatioF()));
    m_stateLabel->setText(p.stateLine);
    setWindowIcon(TrayIcons::icon(p.iconKey));
    m_interrupt->setVisible(p.interruptEnabled);
}

void ControlPanel::updateStatus()
{
    const RuntimeStatus rs = m_conn->runtimeStatus();
    const QJsonObject s = m_conn->status();
    QStringList detail;
    if (m_conn->isReachable()) {
        detail << QStringLiteral("pid %1").arg(rs.pid);
        const QJsonValue uptime = s.value(QLatin1String(StatusField::UptimeS));
        if (!uptime.isUndefined())
            detail << QStringLiteral("up %1").arg(
                AgentsModel::formatElapsed(qint64(qBound(0.0, uptime.toDouble(), 1e12))));
        detail << (rs.accepting ? QStringLiteral("accepting turns")
                                : QStringLiteral("not accepting turns"));
        const QJsonValue drainTimeout = s.value(QLatin1String(StatusField::DrainTimeoutS));
        if (!drainTimeout.isUndefined())
            detail << QStringLiteral("drain timeout %1 s").arg(drainTimeout.toDouble());
        if (!rs.version.isEmpty())
            detail << QStringLiteral("version %1").arg(rs.version);
    } else {
        detail << (m_conn->detail().isEmpty() ? QStringLiteral("service not reachable")
                                              : m_conn->detail());
        if (rs.exitCode)
            detail << QStringLiteral("last exit code %1").arg(*rs.exitCode);
    }
    detail << QStringLiteral("HOME %1").arg(m_conn->home());
    m_detailLabel->setText(detail.join(QStringLiteral(" · ")));

    const QString warning = alignmentWarningText(s);
    m_alignment->setText(warning);
    m_alignment->setVisible(m_conn->isReachable() && !warning.isEmpty());
    updateDrainProgress();
}

QString ControlPanel::alignmentWarningText(const QJsonObject &status)
{
    // What the operator must act on: HOME unwritable, conditions found at start, and the
    // service manager's stop timeout (only when the service says misaligned: false).
    QStringList warnings;
    const QJsonObject storage = status.value(QLatin1String(StatusField::Storage)).toObject();
    if (!storage.value(QLatin1String("available")).toBool(true))
        warnings << QStringLiteral("⚠ HOME cannot be written, so no new turns are taken: %1")
                        .arg(storage.value(QLatin1String("error")).toString());
    const QJsonArray started = status.value(QLatin1String(StatusField::Warnings)).toArray();
    for (const QJsonValue &w : started)
        warnings << QStringLiteral("⚠ ") + w.toString();
    const QJsonObject sup = status.value(QLatin1String(StatusField::Supervisor)).toObject();
    const QJsonValue aligned = sup.value(QLatin1String("aligned"));
    if (!aligned.isBool() || aligned.toBool())
        return warnings.join(QLatin1Char('\n'));
    QString text = QStringLiteral("⚠ Service manager not aligned: ");
    text += sup.value(QLatin1String("message"))
                .toString(QStringLiteral("its stop timeout is shorter than the drain budget."));
    const QString fix = sup.value(QLatin1String("fix")).toString();
    if (!fix.isEmpty())
        text += QStringLiteral("\nFix: ") + fix;
    warnings << text;
    return warnings.join(QLatin1Char('\n'));
}

void ControlPanel::updateDrainProgress()
{
    const std::optional<GatewayState> state = m_conn->effectiveState();
    const int active = m_conn->activeAgents();
    const bool draining = state == GatewayState::Draining || state == GatewayState::Stopping;
    if (!draining || !m_conn->isReachable()) {
        m_drainStartCount = -1;
        m_drainProgress->hide();
        m_drainLabel->hide();
        return;
    }
    if (m_drainStartCount < 0 || active > m_drainStartCount)
        m_drainStartCount = active;
    const int total = qMax(1, m_drainStartCount);
    m_drainProgress->setRange(0, total);
    // Progress toward zero: finished turns out of those running when the drain began.
    m_drainProgress->setValue(total - qMin(active, total));
    m_drainProgress->setFormat(
        active == 0
            ? QStringLiteral("all turns finished — safe to restart")
            : QStringLiteral("%1 of %2 turns still running").arg(active).arg(m_drainStartCount));
    m_drainLabel->setText(state == GatewayState::Draining ? QStringLiteral("Drain:")
                                                          : QStringLiteral("Stopping:"));
    m_drainProgress->show();
    m_drainLabel->show();
}

void ControlPanel::interruptSelected()
{
    const QModelIndexList rows = m_agentsView->selectionModel()->selectedRows();
    const int row = rows.isEmpty() ? (m_agents->rowCount() == 1 ? 0 : -1) : rows.first().row();
    if (row < 0) {
        showMessage(QStringLiteral("Select a turn to interrupt."), true);
        return;
    }
    m_actions->interruptTurn(m_agents->turnId(row), m_agents->session(row));
}

void ControlPanel::showMessage(const QString &text, bool isError)
{
    // The last few messages stay visible (newest first), so a timeout is not hidden by the
    // notification that follows it.
    const QString line = QStringLiteral("%1  %2%3")
                             .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
                                  isError ? QStringLiteral("⚠ ") : QString(), text.toHtmlEscaped());
    m_messages.prepend(
        isError
            ? QStringLiteral("<span style=\"color:#a50e0e; font-weight:bold\">%1</span>").arg(line)
            : line);
    while (m_messages.size() > 4)
        m_messages.removeLast();
    m_messageLabel->setText(m_messages.join(QStringLiteral("<br>")));
    m_messageLabel->show();
}

void ControlPanel::raiseWindow()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void ControlPanel::scrollLogToEnd()
{
    m_log->moveCursor(QTextCursor::End);
    m_log->ensureCursorVisible();
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
    m_log->horizontalScrollBar()->setValue(0);
}

void ControlPanel::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // The newest log lines matter; the scroll range is only known once laid out.
    QTimer::singleShot(0, this, &ControlPanel::scrollLogToEnd);
}

void ControlPanel::closeEvent(QCloseEvent *event)
{
    if (m_quitOnClose) {
        event->accept();
        QApplication::quit();
        return;
    }
    hide();
    event->ignore();
}

} // namespace sluice::gui
