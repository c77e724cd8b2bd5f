#include "tray/controlpanel.h"

#include "core/agentsmodel.h"
#include "core/logtail.h"
#include "core/serviceconnection.h"
#include "core/turnoutput.h"
#include "core/turnsmodel.h"
#include "tray/outputview.h"
#include "tray/shutdowntimeline.h"
#include "tray/trayactions.h"
#include "tray/trayicons.h"

#include "sluice/paths.h"
#include "sluice/runtimestatus.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
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
    b->setAccessibleName(a->text().remove(QStringLiteral("…")));
    // A tool button shows its action whether or not the action is visible: follow it (Start
    // only while stopped, one of Drain / Cancel drain).
    auto follow = [a, b] { b->setVisible(a->isVisible()); };
    QObject::connect(a, &QAction::changed, b, follow);
    follow();
    return b;
}

// A banner: a tinted, wrapping explanation with an optional button on its right.
static QWidget *banner(QLabel *label, QPushButton *button, const QString &style, QWidget *parent)
{
    auto *box = new QWidget(parent);
    box->setObjectName(label->objectName() + QStringLiteral("Box"));
    box->setAttribute(Qt::WA_StyledBackground);
    box->setStyleSheet(QStringLiteral("#%1 { %2 }").arg(box->objectName(), style));
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(8, 6, 8, 6);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(label, 1);
    if (button)
        row->addWidget(button, 0, Qt::AlignVCenter);
    box->hide();
    return box;
}

static QTableView *makeTable(QAbstractItemModel *model, const char *name, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(QLatin1String(name));
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setMinimumHeight(80);
    return view;
}

static QString selectedId(QTableView *view, int role)
{
    const QModelIndexList rows = view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(role).toString();
}

ControlPanel::ControlPanel(ServiceConnection *connection, AgentsModel *agents, TrayActions *actions,
                           QWidget *parent)
    : QMainWindow(parent)
    , m_conn(connection)
    , m_agents(agents)
    , m_actions(actions)
    , m_history(new TurnHistory(connection, this))
    , m_live(new TurnOutput(connection, this))
    , m_opened(new TurnOutput(connection, this))
    , m_logTail(new LogTail(HomePaths(connection->home()).serviceLog(), 200, this))
{
    setObjectName(QStringLiteral("controlPanel"));
    setWindowTitle(tr("Sluice — control panel"));
    setAccessibleName(tr("Sluice control panel"));
    setWindowIcon(TrayIcons::icon(QStringLiteral("running")));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    // Header: icon, state, details.
    auto *header = new QHBoxLayout;
    m_iconLabel = new QLabel(central);
    m_iconLabel->setFixedSize(40, 40);
    header->addWidget(m_iconLabel, 0, Qt::AlignTop);
    auto *stateBox = new QVBoxLayout;
    m_stateLabel = new QLabel(central);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_stateLabel->setAccessibleName(tr("Gateway state"));
    QFont big = m_stateLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_stateLabel->setFont(big);
    m_detailLabel = new QLabel(central);
    m_detailLabel->setObjectName(QStringLiteral("detailLabel"));
    m_detailLabel->setAccessibleName(tr("Gateway details"));
    m_detailLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailLabel->setWordWrap(true); // a long HOME must not widen the window
    stateBox->addWidget(m_stateLabel);
    stateBox->addWidget(m_detailLabel);
    header->addLayout(stateBox, 1);
    layout->addLayout(header);

    // The actions, one row; the rarely used ones are in the window's menu.
    m_buttonRow = new QWidget(central);
    m_buttonRow->setObjectName(QStringLiteral("buttonRow"));
    m_buttonRow->setAccessibleName(tr("Gateway actions"));
    auto *buttons = new QHBoxLayout(m_buttonRow);
    buttons->setContentsMargins(0, 0, 0, 0);
    for (QAction *a : {actions->start(), actions->drain(), actions->cancelDrain(), actions->stop(),
                       actions->restart(), actions->forceRestart()})
        buttons->addWidget(actionButton(a, m_buttonRow));
    buttons->addStretch(1);
    buttons->addWidget(actionButton(actions->sendTest(), m_buttonRow));
    layout->addWidget(m_buttonRow);
    QMenu *menu = menuBar()->addMenu(tr("&Sluice"));
    menu->addAction(actions->sendTest());
    menu->addAction(actions->settings());
    menu->addSeparator();
    menu->addAction(actions->quit());

    m_messageLabel = new QLabel(central);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setAccessibleName(tr("Recent messages"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextFormat(Qt::RichText);
    m_messageLabel->hide();
    layout->addWidget(m_messageLabel);

    m_firstRun = new QLabel(central);
    m_firstRun->setObjectName(QStringLiteral("firstRunBanner"));
    m_firstRunStart = new QPushButton(tr("Start service"), central);
    m_firstRunStart->setObjectName(QStringLiteral("firstRunStartButton"));
    connect(m_firstRunStart, &QPushButton::clicked, actions->start(), &QAction::trigger);
    m_firstRunBox =
        banner(m_firstRun, m_firstRunStart,
               QStringLiteral("background: #e8f0fe; border: 1px solid #8ab4f8;"), central);
    layout->addWidget(m_firstRunBox);

    m_drainOrigin = new QLabel(central);
    m_drainOrigin->setObjectName(QStringLiteral("drainOriginBanner"));
    auto *cancelLeftover = new QPushButton(tr("Cancel drain"), central);
    cancelLeftover->setObjectName(QStringLiteral("drainOriginCancelButton"));
    connect(cancelLeftover, &QPushButton::clicked, actions->cancelDrain(), &QAction::trigger);
    m_drainOriginBox =
        banner(m_drainOrigin, cancelLeftover,
               QStringLiteral("background: #fff4ce; border: 1px solid #c9a000;"), central);
    layout->addWidget(m_drainOriginBox);

    m_predecessor = new QLabel(central);
    m_predecessor->setObjectName(QStringLiteral("predecessorBanner"));
    m_predecessor->setAccessibleName(tr("Restart in progress"));
    m_predecessor->setWordWrap(true);
    m_predecessor->setStyleSheet(
        QStringLiteral("background: #e8f0fe; border: 1px solid #8ab4f8; padding: 4px;"));
    m_predecessor->hide();
    layout->addWidget(m_predecessor);

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
    m_drainProgress->setAccessibleName(tr("Drain progress"));
    drainRow->addWidget(m_drainLabel);
    drainRow->addWidget(m_drainProgress, 1);
    layout->addLayout(drainRow);

    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("panelTabs"));
    m_tabs->addTab(buildAgentsTab(), tr("&Active agents"));
    m_tabs->addTab(buildHistoryTab(), tr("&Recent turns"));
    m_tabs->addTab(buildShutdownTab(), tr("Last &shutdown"));
    m_tabs->addTab(buildLogTab(), tr("Service &log"));
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    resize(860, 600);

    connect(m_conn, &ServiceConnection::statusChanged, this, &ControlPanel::updateStatus);
    connect(m_conn, &ServiceConnection::shutdownReportChanged, this, [this] {
        m_timeline->setReport(m_conn->shutdownReport());
        m_timelineSummary->setText(m_timeline->summary());
    });
    connect(m_history, &TurnHistory::refreshed, this, [this] {
        updateQueue();
        updateSessions();
        m_historyNote->setText(m_history->error());
        m_historyNote->setVisible(!m_history->error().isEmpty());
    });
    connect(actions, &TrayActions::turnSent, this,
            [this](const QString &turnId, const QString &) { showTurn(turnId); });
    m_logTail->start();
    m_timeline->setReport(m_conn->shutdownReport());
    m_timelineSummary->setText(m_timeline->summary());
    m_interrupt->setEnabled(false);
    updateStatus();
}

ControlPanel::~ControlPanel() = default;

QWidget *ControlPanel::buildAgentsTab()
{
    auto *page = new QWidget;
    page->setAccessibleName(tr("Active agents"));
    auto *layout = new QVBoxLayout(page);
    auto *split = new QSplitter(Qt::Vertical, page);
    auto *top = new QWidget(split);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_agentsView = makeTable(m_agents, "agentsView", top);
    m_agentsView->setAccessibleName(tr("Active agents"));
    m_agentsView->horizontalHeader()->setSectionResizeMode(AgentsModel::Session,
                                                           QHeaderView::Stretch);
    m_agentsView->horizontalHeader()->setSectionResizeMode(AgentsModel::TurnId,
                                                           QHeaderView::ResizeToContents);
    topLayout->addWidget(m_agentsView);
    auto *row = new QHBoxLayout;
    m_queueLabel = new QLabel(top);
    m_queueLabel->setObjectName(QStringLiteral("queueLabel"));
    m_queueLabel->setAccessibleName(tr("Queued turns"));
    m_queueLabel->setWordWrap(true);
    row->addWidget(m_queueLabel, 1);
    m_interrupt = new QPushButton(tr("Interrupt selected turn"), top);
    m_interrupt->setObjectName(QStringLiteral("interruptButton"));
    row->addWidget(m_interrupt, 0, Qt::AlignRight);
    topLayout->addLayout(row);
    connect(m_interrupt, &QPushButton::clicked, this, &ControlPanel::interruptSelected);

    auto *bottom = new QWidget(split);
    auto *bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    m_liveTitle = new QLabel(tr("Output"), bottom);
    m_liveTitle->setObjectName(QStringLiteral("liveTitle"));
    m_liveOutput = new OutputView(bottom);
    m_liveOutput->setObjectName(QStringLiteral("liveOutput"));
    m_liveOutput->setAccessibleName(tr("Live output of the selected turn"));
    m_liveOutput->setPlaceholder(tr("Select a turn to watch its output as it arrives."));
    m_liveOutput->attach(m_live);
    bottomLayout->addWidget(m_liveTitle);
    bottomLayout->addWidget(m_liveOutput, 1);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    layout->addWidget(split);

    connect(
        m_live, &TurnOutput::reset, this,
        [this](const QString &turnId, const QString &session, const QString &, const QString &) {
            m_liveTitle->setText(turnId.isEmpty()
                                     ? tr("Output")
                                     : tr("Output of turn %1 (session %2)").arg(turnId, session));
        });
    connect(m_agentsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QString id = selectedId(m_agentsView, Qt::DisplayRole);
        if (!id.isEmpty())
            m_live->show(id);
    });
    // The model is reset on every change: keep the turn being watched selected, and pick up a
    // new turn when nothing is watched yet. A watched turn that ended stays, with its end, until
    // the user picks another.
    connect(m_agents, &QAbstractItemModel::modelReset, this, [this] {
        m_interrupt->setEnabled(m_agents->rowCount() > 0);
        int row = -1;
        for (int r = 0; r < m_agents->rowCount(); ++r)
            if (m_agents->turnId(r) == m_live->turnId())
                row = r;
        if (row < 0 && m_live->turnId().isEmpty() && m_agents->rowCount() > 0)
            row = m_agents->rowCount() - 1; // the newest
        if (row >= 0)
            m_agentsView->selectRow(row);
    });
    return page;
}

QWidget *ControlPanel::buildHistoryTab()
{
    auto *page = new QWidget;
    page->setAccessibleName(tr("Recent turns"));
    auto *layout = new QVBoxLayout(page);
    auto *row = new QHBoxLayout;
    auto *label = new QLabel(tr("S&ession:"), page);
    m_sessionFilter = new QComboBox(page);
    m_sessionFilter->setObjectName(QStringLiteral("sessionFilter"));
    m_sessionFilter->setAccessibleName(tr("Session filter"));
    m_sessionFilter->addItem(tr("All sessions"), QString());
    m_sessionFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    label->setBuddy(m_sessionFilter);
    auto *refresh = new QPushButton(tr("Refresh"), page);
    refresh->setObjectName(QStringLiteral("refreshTurnsButton"));
    row->addWidget(label);
    row->addWidget(m_sessionFilter);
    row->addWidget(refresh);
    row->addStretch(1);
    layout->addLayout(row);
    m_historyNote = new QLabel(page);
    m_historyNote->setWordWrap(true);
    m_historyNote->hide();
    layout->addWidget(m_historyNote);

    auto *split = new QSplitter(Qt::Vertical, page);
    m_turnsView = makeTable(m_history->model(), "turnsView", split);
    m_turnsView->setAccessibleName(tr("Recent turns"));
    m_turnsView->setWordWrap(false); // one line per turn; the whole output opens below
    m_turnsView->setTextElideMode(Qt::ElideRight);
    m_turnsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_turnsView->horizontalHeader()->setSectionResizeMode(TurnsModel::Preview,
                                                          QHeaderView::Stretch);
    m_historyOutput = new OutputView(split);
    m_historyOutput->setObjectName(QStringLiteral("historyOutput"));
    m_historyOutput->setAccessibleName(tr("Output of the opened turn"));
    m_historyOutput->setPlaceholder(tr("Open a turn (select it) to read its whole output."));
    m_historyOutput->attach(m_opened);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    connect(refresh, &QPushButton::clicked, m_history, &TurnHistory::refresh);
    connect(m_sessionFilter, &QComboBox::activated, this, [this](int index) {
        m_history->setSessionFilter(m_sessionFilter->itemData(index).toString());
    });
    connect(m_turnsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QString id = selectedId(m_turnsView, TurnsModel::TurnIdRole);
        if (!id.isEmpty())
            m_opened->show(id);
    });
    connect(m_history->model(), &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_history->model()->rowOf(m_opened->turnId());
        if (row >= 0)
            m_turnsView->selectRow(row);
    });
    return page;
}

QWidget *ControlPanel::buildShutdownTab()
{
    auto *page = new QWidget;
    page->setAccessibleName(tr("Last shutdown"));
    auto *layout = new QVBoxLayout(page);
    m_timelineSummary = new QLabel(page);
    m_timelineSummary->setWordWrap(true);
    m_timeline = new ShutdownTimeline(page);
    m_timeline->setObjectName(QStringLiteral("shutdownTimeline"));
    m_timeline->setAccessibleName(tr("Phases of the last shutdown"));
    layout->addWidget(m_timelineSummary);
    layout->addWidget(m_timeline);
    layout->addStretch(1);
    return page;
}

QWidget *ControlPanel::buildLogTab()
{
    auto *page = new QWidget;
    page->setAccessibleName(tr("Service log"));
    auto *layout = new QVBoxLayout(page);
    m_log = new QPlainTextEdit(page);
    m_log->setObjectName(QStringLiteral("logView"));
    m_log->setAccessibleName(tr("Service log (sluiced.log)"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(200);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logFollow = new FollowingTail(m_log);
    layout->addWidget(m_log);
    connect(m_logTail, &LogTail::reset, this, [this](const QStringList &lines) {
        m_log->setPlainText(lines.join(QLatin1Char('\n')));
        m_logFollow->toEnd();
    });
    connect(m_logTail, &LogTail::appended, this, [this](const QStringList &lines) {
        for (const QString &l : lines)
            m_log->appendPlainText(l);
    });
    return page;
}

void ControlPanel::showTurn(const QString &turnId)
{
    m_tabs->setCurrentIndex(AgentsTab);
    m_live->show(turnId);
    for (int r = 0; r < m_agents->rowCount(); ++r)
        if (m_agents->turnId(r) == turnId)
            m_agentsView->selectRow(r);
}

void ControlPanel::applyPresentation(const TrayPresentation &p)
{
    m_iconLabel->setPixmap(TrayIcons::icon(p.iconKey).pixmap(QSize(40, 40), devicePixelRatioF()));
    m_stateLabel->setText(p.stateLine);
    setWindowIcon(TrayIcons::icon(p.iconKey));
    m_interrupt->setVisible(p.interruptEnabled);
    const bool firstRun = !p.state && p.offline == Offline::FirstRun;
    m_firstRun->setText(
        tr("<b>No Sluice service has run in this HOME yet.</b><br>Start one here; it keeps "
           "running after the tray quits. Under a service manager, install the unit first with "
           "<tt>sluicectl service install</tt>, and Start goes through it."));
    m_firstRunBox->setVisible(firstRun);
    m_firstRunStart->setEnabled(m_actions->start()->isEnabled());
}

void ControlPanel::updateStatus()
{
    const RuntimeStatus rs = m_conn->runtimeStatus();
    const QJsonObject s = m_conn->status();
    QStringList detail;
    if (m_conn->isReachable()) {
        detail << tr("pid %1").arg(rs.pid);
        const QJsonValue uptime = s.value(QLatin1String(StatusField::UptimeS));
        if (!uptime.isUndefined())
            detail << tr("up %1").arg(
                AgentsModel::formatElapsed(qint64(qBound(0.0, uptime.toDouble(), 1e12))));
        detail << (rs.accepting ? tr("accepting turns") : tr("not accepting turns"));
        const QJsonValue drainTimeout = s.value(QLatin1String(StatusField::DrainTimeoutS));
        if (!drainTimeout.isUndefined())
            detail << tr("drain timeout %1 s").arg(drainTimeout.toDouble());
        if (!rs.version.isEmpty())
            detail << tr("version %1").arg(rs.version);
    } else {
        if (!m_conn->detail().isEmpty())
            detail << m_conn->detail();
        else if (m_conn->offline() != Offline::FirstRun && !m_conn->effectiveState())
            detail << tr("service not reachable");
        if (rs.exitCode && m_conn->effectiveState())
            detail << tr("last exit code %1").arg(*rs.exitCode);
    }
    detail << tr("HOME %1").arg(m_conn->home());
    m_detailLabel->setText(detail.join(QStringLiteral(" · ")));

    const QString warning = alignmentWarningText(s);
    m_alignment->setText(warning);
    m_alignment->setVisible(m_conn->isReachable() && !warning.isEmpty());
    const QString leftover = m_conn->isReachable() ? leftoverDrainText(s) : QString();
    m_drainOrigin->setText(leftover);
    m_drainOriginBox->setVisible(!leftover.isEmpty() &&
                                 m_conn->effectiveState() == GatewayState::Draining);
    const QString predecessor = m_conn->isReachable() ? predecessorText(s) : QString();
    m_predecessor->setText(predecessor);
    m_predecessor->setVisible(!predecessor.isEmpty());
    m_firstRunStart->setEnabled(m_actions->start()->isEnabled());
    updateDrainProgress();
}

QString ControlPanel::predecessorText(const QJsonObject &status)
{
    const QJsonObject p = status.value(QLatin1String("predecessor")).toObject();
    if (p.isEmpty())
        return QString();
    const int turns =
        p.value(QLatin1String("running")).toInt() + p.value(QLatin1String("queued")).toInt();
    const QDateTime deadline =
        QDateTime::fromString(p.value(QLatin1String("deadline")).toString(), Qt::ISODateWithMs);
    QString text = tr("<b>Restarted.</b> New turns run here; the previous process (pid %1) "
                      "finishes its %n turn(s)",
                      nullptr, turns)
                       .arg(p.value(QLatin1String("pid")).toInteger());
    if (deadline.isValid())
        text += tr(", at the latest by %1")
                    .arg(QLocale().toString(deadline.toLocalTime().time(), QLocale::ShortFormat));
    return text + QLatin1Char('.');
}

QString ControlPanel::leftoverDrainText(const QJsonObject &status)
{
    const QJsonObject drain = status.value(QLatin1String("drain")).toObject();
    const QJsonObject leftover = drain.value(QLatin1String("leftover")).toObject();
    if (leftover.isEmpty())
        return QString();
    const QString principal = leftover.value(QLatin1String("principal")).toString();
    const double age = leftover.value(QLatin1String("age_s")).toDouble(-1);
    const QString ago =
        age >= 0 ? AgentsModel::formatElapsed(qint64(qMin(age, 1e12))) : tr("some time");
    return tr("<b>Draining since before the last stop.</b> A drain asked for by %1 %2 ago was "
              "still in force when the service started, so it accepts no new turns. Cancel it "
              "here, or with <tt>%3</tt>.")
        .arg((principal.isEmpty() ? tr("someone") : principal).toHtmlEscaped(), ago,
             leftover.value(QLatin1String("cancel"))
                 .toString(QStringLiteral("sluicectl cancel-drain"))
                 .toHtmlEscaped());
}

QString ControlPanel::alignmentWarningText(const QJsonObject &status)
{
    // What the operator must act on: HOME unwritable, conditions found at start, and the
    // service manager's stop timeout (only when the service says misaligned: false).
    QStringList warnings;
    const QJsonObject storage = status.value(QLatin1String(StatusField::Storage)).toObject();
    if (!storage.value(QLatin1String("available")).toBool(true))
        warnings << tr("⚠ HOME cannot be written, so no new turns are taken: %1")
                        .arg(storage.value(QLatin1String("error")).toString());
    const QJsonArray started = status.value(QLatin1String(StatusField::Warnings)).toArray();
    for (const QJsonValue &w : started)
        warnings << QStringLiteral("⚠ ") + w.toString();
    const QJsonObject sup = status.value(QLatin1String(StatusField::Supervisor)).toObject();
    const QJsonValue aligned = sup.value(QLatin1String("aligned"));
    if (!aligned.isBool() || aligned.toBool())
        return warnings.join(QLatin1Char('\n'));
    QString text =
        tr("⚠ Service manager not aligned: %1")
            .arg(sup.value(QLatin1String("message"))
                     .toString(tr("its stop timeout is shorter than the drain budget.")));
    const QString fix = sup.value(QLatin1String("fix")).toString();
    if (!fix.isEmpty())
        text += QLatin1Char('\n') + tr("Fix: %1").arg(fix);
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
        active == 0 ? tr("all turns finished — safe to restart")
                    : tr("%1 of %n turn(s) still running", nullptr, m_drainStartCount).arg(active));
    m_drainLabel->setText(state == GatewayState::Draining ? tr("Drain:") : tr("Stopping:"));
    m_drainProgress->show();
    m_drainLabel->show();
}

void ControlPanel::updateQueue()
{
    const QJsonArray queued = m_history->queued();
    if (queued.isEmpty()) {
        m_queueLabel->setText(tr("No turn is waiting."));
        return;
    }
    QStringList entries;
    for (const QJsonValue &v : queued) {
        const QJsonObject t = v.toObject();
        entries << tr("%1 #%2")
                       .arg(t.value(QLatin1String("session")).toString())
                       .arg(t.value(QLatin1String("queue_position")).toInt());
    }
    m_queueLabel->setText(
        tr("Queued (%n): %1", nullptr, int(queued.size())).arg(entries.join(QStringLiteral(", "))));
}

void ControlPanel::updateSessions()
{
    const QString current = m_sessionFilter->currentData().toString();
    const QStringList sessions = m_history->sessions();
    if (m_sessionFilter->count() == sessions.size() + 1)
        return;
    m_sessionFilter->clear();
    m_sessionFilter->addItem(tr("All sessions"), QString());
    for (const QString &s : sessions)
        m_sessionFilter->addItem(s, s);
    m_sessionFilter->setCurrentIndex(qMax(0, m_sessionFilter->findData(current)));
}

void ControlPanel::interruptSelected()
{
    const QModelIndexList rows = m_agentsView->selectionModel()->selectedRows();
    const int row = rows.isEmpty() ? (m_agents->rowCount() == 1 ? 0 : -1) : rows.first().row();
    if (row < 0) {
        showMessage(tr("Select a turn to interrupt."), true);
        return;
    }
    m_actions->interruptTurn(m_agents->turnId(row), m_agents->session(row));
}

void ControlPanel::showMessage(const QString &text, bool isError)
{
    // The last few messages stay visible (newest first), so a timeout is not hidden by the
    // notification that follows it.
    const QString line = QStringLiteral("%1  %2%3")
                             .arg(QLocale().toString(QTime::currentTime(), QLocale::LongFormat),
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

void ControlPanel::fitToScreen()
{
    // At 200 % a small screen is small in logical pixels: never open larger than it.
    QScreen *s = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!s)
        return;
    const QRect avail = s->availableGeometry();
    const QSize want = size().boundedTo(avail.size() - QSize(16, 48));
    if (want != size())
        resize(want.expandedTo(minimumSizeHint()));
    if (!avail.contains(frameGeometry()))
        move(avail.topLeft() + QPoint(8, 8));
}

void ControlPanel::raiseWindow()
{
    if (!m_fitted) {
        m_fitted = true;
        fitToScreen();
    }
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void ControlPanel::toggleWindow()
{
    if (isVisible() && !isMinimized())
        hide();
    else
        raiseWindow();
}

void ControlPanel::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // The newest log lines matter; the scroll range is only known once laid out.
    QTimer::singleShot(0, m_logFollow, &FollowingTail::toEnd);
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
