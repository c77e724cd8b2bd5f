#pragma once
#include <QPlainTextEdit>

namespace sluice::gui {

class TurnOutput;

// Shows one turn's output as TurnOutput delivers it: stdout as it is, stderr lines in red, gaps
// and the end as a grey note. Follows the end unless the user scrolled up (FollowingTail).
class OutputView : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit OutputView(QWidget *parent = nullptr);

    void attach(TurnOutput *output);
    void setPlaceholder(const QString &text);       // shown while there is nothing
    QString stderrText() const { return m_stderr; } // what came on stderr (tests)

private:
    void appendStyled(const QString &text, const QColor &color, bool italic = false);

    QString m_stderr;
};

// Keeps a QPlainTextEdit at its end as text is added, unless the user scrolled away from the
// end; scrolling back to the end resumes following. Decided from what the user did with the
// scroll bar, not from where it happens to be, so growth elsewhere in the window (a message
// line, a resize) never stops the following.
class FollowingTail : public QObject
{
    Q_OBJECT
public:
    explicit FollowingTail(QPlainTextEdit *view);
    bool following() const { return m_follow; }
    void toEnd(); // scroll to the end and follow again

private:
    QPlainTextEdit *m_view;
    bool m_follow = true;
};

} // namespace sluice::gui
