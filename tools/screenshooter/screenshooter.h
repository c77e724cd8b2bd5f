#pragma once
#include <QObject>
#include <QString>

namespace sluice::gui {

class TrayApp;

// Drives a TrayApp for the docs pictures (tools/screenshots.sh): writes DIR/tray-icons.png at
// once; once the service has answered (and, when asked, a turn is running) it opens the control
// panel and the tray menu at the icon, writes DIR/control-panel.png (the window) and
// DIR/tray-menu.png (the screen area around the icon and the open menus; the menu alone where no
// tray exists), then quits.
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
