#include "tray/settingsdialog.h"

#include "core/autostart.h"
#include "core/traysettings.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace sluice::gui {

SettingsDialog::SettingsDialog(TraySettings *settings, const QString &currentHome, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_currentHome(currentHome)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Sluice tray settings"));
    auto *layout = new QVBoxLayout(this);

    auto *notes = new QGroupBox(tr("Notifications"), this);
    notes->setAccessibleName(tr("Notifications"));
    auto *notesLayout = new QVBoxLayout(notes);
    for (Notifier::Kind kind : Notifier::allKinds()) {
        auto *box = new QCheckBox(Notifier::kindDisplayName(kind), notes);
        box->setObjectName(QStringLiteral("notify_") + Notifier::kindKey(kind));
        box->setChecked(settings->notificationEnabled(kind));
        notesLayout->addWidget(box);
        m_kinds.insert(kind, box);
    }
    layout->addWidget(notes);

    auto *general = new QGroupBox(tr("Start"), this);
    auto *form = new QFormLayout(general);
    m_autostart = new QCheckBox(tr("Start the tray when I log in"), general);
    m_autostart->setObjectName(QStringLiteral("autostartBox"));
    m_autostartWas = QFile::exists(Autostart::location());
    m_autostart->setChecked(m_autostartWas);
    form->addRow(m_autostart);
    auto *homeRow = new QHBoxLayout;
    m_home = new QLineEdit(settings->home(), general);
    m_home->setObjectName(QStringLiteral("homeEdit"));
    m_home->setPlaceholderText(currentHome);
    m_home->setAccessibleName(tr("HOME folder"));
    auto *browse = new QPushButton(tr("Browse…"), general);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("The gateway's HOME folder"),
            m_home->text().isEmpty() ? m_currentHome : m_home->text());
        if (!dir.isEmpty())
            m_home->setText(dir);
    });
    homeRow->addWidget(m_home, 1);
    homeRow->addWidget(browse);
    form->addRow(tr("&HOME:"), homeRow);
    auto *homeNote = new QLabel(tr("Used when the tray starts without --home or $SLUICE_HOME; "
                                   "empty for the default. Takes effect at the next start."),
                                general);
    homeNote->setWordWrap(true);
    form->addRow(homeNote);
    layout->addWidget(general);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QString SettingsDialog::apply()
{
    for (auto it = m_kinds.constBegin(); it != m_kinds.constEnd(); ++it)
        m_settings->setNotificationEnabled(it.key(), it.value()->isChecked());
    const QString home = m_home->text().trimmed();
    m_settings->setHome(home);
    m_settings->sync();
    QString message;
    if (m_autostart->isChecked() != m_autostartWas) {
        const bool ok = m_autostart->isChecked()
                            ? Autostart::install(QApplication::applicationFilePath(),
                                                 home.isEmpty() ? m_currentHome : home, &message)
                            : Autostart::remove(&message);
        if (!ok)
            return tr("The login item could not be changed: %1").arg(message);
        m_autostartWas = m_autostart->isChecked();
    }
    return message.isEmpty() ? tr("Settings saved.") : tr("Settings saved. %1").arg(message);
}

} // namespace sluice::gui
