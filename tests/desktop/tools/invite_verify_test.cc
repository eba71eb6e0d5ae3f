// InviteDialog and VerifyDialog driven with keys and clicks against a real
// relay: the dialog's code pairs a real client engine; its QR image has
// whole-pixel modules and a quiet zone; a refused invitation is one
// sentence; verifying on both sides marks the contact verified.
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "attune/desktop/tools/invite_dialog.h"
#include "attune/desktop/tools/qr_image.h"
#include "attune/desktop/tools/verify_dialog.h"
#include "tools_test_support.h"

namespace attune::desktop::tools {
namespace {

using InviteDialogTest = ToolsTest;
using VerifyDialogTest = ToolsTest;

TEST(QrImage, WholePixelModulesWithQuietZone) {
  const QrCode qr = MakeQrCode(QByteArrayLiteral("ATTUNE1-some-invitation-text"), 240);
  ASSERT_FALSE(qr.image.isNull());
  EXPECT_GE(qr.module_pixels, kMinModulePixels);
  const int side = (qr.modules + (2 * kQuietZoneModules)) * qr.module_pixels;
  EXPECT_EQ(qr.image.width(), side);
  EXPECT_EQ(qr.image.height(), side);
  EXPECT_GE(side, 240);
  // The quiet zone is white all round; the top-left finder pattern's corner
  // module is dark and fills its whole pixel block.
  const int q = kQuietZoneModules * qr.module_pixels;
  for (int i = 0; i < side; ++i) {
    EXPECT_EQ(qr.image.pixel(i, q - 1), qRgb(255, 255, 255));
    EXPECT_EQ(qr.image.pixel(q - 1, i), qRgb(255, 255, 255));
  }
  for (int d = 0; d < qr.module_pixels; ++d) {
    EXPECT_EQ(qr.image.pixel(q + d, q + d), qRgb(0, 0, 0));
  }
}

TEST_F(InviteDialogTest, CodeFromTheDialogPairsAClient) {
  Start(/*pair=*/false);
  InviteDialog dialog(*therapist_, nullptr);
  dialog.show();
  QSignalSpy invited(&dialog, &InviteDialog::invited);
  auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("inviteName"));
  ASSERT_NE(name, nullptr);
  name->setFocus();
  QTest::keyClicks(name, QStringLiteral("Sam K"));
  QTest::keyClick(name, Qt::Key_Return);  // the default button
  ASSERT_TRUE(invited.wait(15000));
  EXPECT_EQ(invited.at(0).at(0).toString(), QStringLiteral("Sam K"));
  const QString code = dialog.code();
  EXPECT_TRUE(code.startsWith(QStringLiteral("ATTUNE1-"))) << code.toStdString();
  auto* expiry = dialog.findChild<QLabel*>(QStringLiteral("inviteExpiry"));
  EXPECT_TRUE(expiry->text().contains(QStringLiteral("local time")));
  EXPECT_GE(dialog.qrImage().width(), 240);

  QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("inviteCopy")), Qt::LeftButton);
  EXPECT_EQ(QApplication::clipboard()->text(), code);
  SaveScreens(dialog, QStringLiteral("invite-dialog"));

  // The client pastes the code; the therapist's engine sees the pairing.
  auto accepted = Call(*client_, [&](client::Engine& engine) {
    return engine.Accept(code.toStdString(), std::string("therapist"));
  });
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_TRUE(accepted->delivered);
  EXPECT_EQ(Sync(*therapist_).paired, 1u);
  auto contact = Call(*therapist_, [](client::Engine& e) { return e.Contact("Sam K"); });
  ASSERT_TRUE(contact.ok()) << contact.error().message;
  EXPECT_EQ(contact->display_name, "Sam");

  // A second invitation under the same name is refused in one sentence.
  QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("inviteCreate")), Qt::LeftButton);
  QTRY_VERIFY_WITH_TIMEOUT(!dialog.errorText().isEmpty(), 15000);
  EXPECT_TRUE(dialog.errorText().endsWith(u'.'));
  EXPECT_EQ(dialog.errorText().count(QStringLiteral(". ")), 0) << dialog.errorText().toStdString();

  QTest::keyClick(&dialog, Qt::Key_Escape);
  EXPECT_FALSE(dialog.isVisible());
}

TEST_F(VerifyDialogTest, BothSidesSeeTheSameNumberAndMarkVerified) {
  Start(/*pair=*/true);
  VerifyDialog therapist_side(*therapist_, QStringLiteral("sam"), nullptr);
  VerifyDialog client_side(*client_, QStringLiteral("therapist"), nullptr);
  therapist_side.show();
  QTRY_VERIFY_WITH_TIMEOUT(!therapist_side.groupedDigits().isEmpty(), 10000);
  QTRY_VERIFY_WITH_TIMEOUT(!client_side.groupedDigits().isEmpty(), 10000);
  EXPECT_EQ(therapist_side.groupedDigits(), client_side.groupedDigits());
  const QStringList groups = therapist_side.groupedDigits().split(u' ');
  ASSERT_EQ(groups.size(), 12);
  for (const QString& g : groups) EXPECT_EQ(g.size(), 5);
  EXPECT_FALSE(therapist_side.identityChanged());
  EXPECT_FALSE(therapist_side.qrImage().isNull());
  SaveScreens(therapist_side, QStringLiteral("verify-dialog"));

  QSignalSpy verified(&therapist_side, &VerifyDialog::verified);
  auto* mark = therapist_side.findChild<QPushButton*>(QStringLiteral("verifyMark"));
  ASSERT_NE(mark, nullptr);
  EXPECT_TRUE(mark->isEnabled());
  QTest::mouseClick(mark, Qt::LeftButton);
  ASSERT_TRUE(verified.wait(10000));
  EXPECT_TRUE(therapist_side.statusText().contains(QStringLiteral("verified")));
  auto contact = Call(*therapist_, [](client::Engine& e) { return e.Contact("sam"); });
  ASSERT_TRUE(contact.ok());
  EXPECT_TRUE(contact->verified);

  // An unknown contact is one sentence, not a crash.
  VerifyDialog nobody(*therapist_, QStringLiteral("nobody"), nullptr);
  QTRY_VERIFY_WITH_TIMEOUT(!nobody.statusText().isEmpty(), 10000);
  EXPECT_TRUE(nobody.groupedDigits().isEmpty());
}

}  // namespace
}  // namespace attune::desktop::tools
