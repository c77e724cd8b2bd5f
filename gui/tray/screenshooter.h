#pragma once
#include <QObject>
#include <QString>

namespace sluice::gui {

class TrayApp;

// The --screenshot DIR test hook (used by tools/screenshots.sh): once the service has answered
// (and, when asked, a turn is running), it opens the tray menu at the icon and the control
// panel, writes DIR/tray-menu.png (the screen area around the icon and the open menu; the menu
// alone where no tray exists) and DIR/control-panel.png (the window), then quits.
class ScreenShooter : public QObject
{
    Q_OBJECT
public:
    ScreenShooter(TrayApp *app, const QString &dir, bool waitForAgent, QObject *parent = nullptr);
    void start();

private:
    void maybeShoot();
    void shootMenu();
    void shootPanel();

    TrayApp *m_app;
    QString m_dir;
    bool m_waitForAgent;
    bool m_started = false;
};

} // namespace sluice::gui
