#include "tray/outputview.h"

#include "core/turnoutput.h"
#include "core/turnsmodel.h"

#include <QFontDatabase>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCharFormat>
#include <QTextCursor>

namespace sluice::gui {

FollowingTail::FollowingTail(QPlainTextEdit *view)
    : QObject(view)
    , m_view(view)
{
    QScrollBar *bar = view->verticalScrollBar();
    // Only the user's moves (wheel, drag, keys, clicks on the bar) change whether we follow.
    connect(bar, &QScrollBar::actionTriggered, this, [this, bar](int) {
        QMetaObject::invokeMethod(
            this, [this, bar] { m_follow = bar->value() >= bar->maximum(); }, Qt::QueuedConnection);
    });
    connect(bar, &QScrollBar::sliderReleased, this,
            [this, bar] { m_follow = bar->value() >= bar->maximum(); });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int max) {
        if (m_follow)
            bar->setValue(max);
    });
}

void FollowingTail::toEnd()
{
    m_follow = true;
    m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
}

OutputView::OutputView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setMaximumBlockCount(20000);
    new FollowingTail(this);
}

void OutputView::setPlaceholder(const QString &text)
{
    setPlaceholderText(text);
}

void OutputView::appendStyled(const QString &text, const QColor &color, bool italic)
{
    QTextCursor c(document());
    c.movePosition(QTextCursor::End);
    QTextCharFormat f;
    if (color.isValid())
        f.setForeground(color);
    f.setFontItalic(italic);
    c.insertText(text, f);
}

void OutputView::attach(TurnOutput *output)
{
    connect(output, &TurnOutput::reset, this,
            [this](const QString &turnId, const QString &, const QString &, const QString &text) {
                clear();
                m_stderr.clear();
                if (!turnId.isEmpty())
                    appendStyled(text, QColor());
            });
    connect(output, &TurnOutput::appended, this,
            [this](const QString &stream, const QString &text) {
                if (stream == QLatin1String("stderr")) {
                    m_stderr += text;
                    // A stderr chunk ends at a line end; start it on a line of its own.
                    const QString last = document()->lastBlock().text();
                    appendStyled(last.isEmpty() ? text : QLatin1Char('\n') + text,
                                 QColor(0xa5, 0x0e, 0x0e));
                } else {
                    appendStyled(text, QColor());
                }
            });
    connect(output, &TurnOutput::gap, this, [this](const QString &, qint64 bytes) {
        appendStyled(
            tr("\n[… %n byte(s) not shown …]\n", nullptr, int(qMin<qint64>(bytes, INT_MAX))),
            QColor(Qt::gray), true);
    });
    connect(output, &TurnOutput::finished, this,
            [this](const QString &state, const QJsonValue &code) {
                const QString last = document()->lastBlock().text();
                const QString note = code.isDouble()
                                         ? tr("[turn %1, exit code %2]")
                                               .arg(TurnsModel::stateDisplayName(state))
                                               .arg(code.toInt())
                                         : tr("[turn %1]").arg(TurnsModel::stateDisplayName(state));
                appendStyled((last.isEmpty() ? QString() : QStringLiteral("\n")) + note,
                             QColor(Qt::gray), true);
            });
    connect(output, &TurnOutput::failed, this, [this](const QString &message) {
        clear();
        appendStyled(message, QColor(0xa5, 0x0e, 0x0e), true);
    });
}

} // namespace sluice::gui
