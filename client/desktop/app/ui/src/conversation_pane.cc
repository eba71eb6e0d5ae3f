#include "attune/desktop/conversation_pane.h"

#include <QHBoxLayout>
#include <QScrollBar>
#include <QVBoxLayout>

#include "attune/desktop/message_delegate.h"

namespace attune::desktop {

ConversationPane::ConversationPane(EngineRunner& runner, QWidget* parent)
    : QWidget(parent), runner_(runner), model_(runner) {
  list_ = new QListView(this);
  list_->setModel(&model_);
  list_->setItemDelegate(new MessageDelegate(list_));
  list_->setAccessibleName(tr("Conversation"));
  list_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  list_->setUniformItemSizes(false);
  list_->setWordWrap(true);
  list_->setSelectionMode(QAbstractItemView::NoSelection);
  list_->setAlternatingRowColors(false);

  banner_ = new QLabel(this);
  banner_->setWordWrap(true);
  banner_->setAccessibleName(tr("Why sending is blocked"));
  banner_->setFrameShape(QFrame::StyledPanel);
  banner_->hide();

  context_ = new QLabel(this);
  context_->setWordWrap(true);
  context_->setAccessibleName(tr("Office hours and expected reply time"));
  context_->hide();
  notice_ = new QLabel(this);
  notice_->setWordWrap(true);
  notice_->setAccessibleName(tr("Notice"));
  notice_->hide();

  composer_ = new Composer(this);
  send_ = new QPushButton(tr("&Send"), this);
  send_->setAccessibleName(tr("Send message"));

  auto* row = new QHBoxLayout;
  row->addWidget(composer_, 1);
  row->addWidget(send_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(list_, 1);
  layout->addWidget(banner_);
  layout->addWidget(notice_);
  layout->addWidget(context_);
  layout->addLayout(row);
  setTabOrder(list_, composer_);
  setTabOrder(composer_, send_);

  connect(composer_, &Composer::submitted, this, &ConversationPane::Send);
  connect(send_, &QPushButton::clicked, this, &ConversationPane::Send);
  connect(&model_, &QAbstractItemModel::rowsInserted, this,
          [this](const QModelIndex& /*parent*/, int /*first*/, int last) {
            if (last != model_.rowCount() - 1) return;  // older rows, shown above
            list_->scrollToBottom();
            // A message that arrives while its conversation is on screen is
            // read: the list must not keep counting it as new.
            const bool incoming =
                !model_.data(model_.index(last), ConversationModel::kOutgoingRole).toBool();
            if (incoming && isVisible()) MarkRead();
          });
  connect(&model_, &ConversationModel::loaded, list_, [this] { list_->scrollToBottom(); });
  // Older messages load as the person scrolls back to the top; what was on
  // screen stays where it was.
  QScrollBar* bar = list_->verticalScrollBar();
  connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) {
    if (value == bar->minimum() && bar->maximum() > bar->minimum() && model_.HasEarlier()) {
      earlier_from_ = bar->maximum() - value;
      model_.LoadEarlier();
    }
  });
  connect(&model_, &ConversationModel::earlierLoaded, this, [this, bar](int /*count*/) {
    list_->doItemsLayout();
    bar->setValue(bar->maximum() - earlier_from_);
  });
  connect(&model_, &ConversationModel::failed, this, &ConversationPane::problem);
  SetContact(nullptr);
}

void ConversationPane::SetContext(const QString& text) {
  context_->setText(text);
  context_->setVisible(!text.isEmpty());
}

void ConversationPane::SetContact(const client::ContactView* contact) {
  notice_->hide();
  if (contact == nullptr) {
    contact_.clear();
    model_.SetContact({}, 0);
    banner_->hide();
    composer_->setEnabled(false);
    send_->setEnabled(false);
    return;
  }
  const QString name = QString::fromStdString(contact->name);
  if (name != contact_) model_.SetContact(name, contact->id);
  contact_ = name;
  const bool blocked = contact->send_block != client::SendBlock::kNone;
  if (blocked) {
    banner_->setText(QString::fromStdString(
        client::SendBlockAdvice(contact->send_block, runner_.account().role, contact->name)));
  }
  banner_->setVisible(blocked);
  composer_->setEnabled(!blocked);
  send_->setEnabled(!blocked);
  composer_->setAccessibleDescription(blocked ? banner_->text()
                                              : tr("Enter sends, Shift+Enter starts a new line"));
  if (contact->unread > 0) MarkRead();
}

void ConversationPane::MarkRead() {
  if (contact_.isEmpty()) return;
  const std::string who = contact_.toStdString();
  runner_.Run(
      this, [who](client::Engine& engine) { return engine.MarkConversationRead(who); },
      [this](Result<size_t> changed) {
        if (changed.ok() && *changed > 0) emit markedRead();
      });
}

void ConversationPane::Send() {
  const QString text = composer_->toPlainText().trimmed();
  if (text.isEmpty() || contact_.isEmpty() || !composer_->isEnabled()) return;
  composer_->setEnabled(false);
  send_->setEnabled(false);
  const std::string who = contact_.toStdString();
  const std::string body = text.toStdString();
  const QString shown_for = contact_;
  runner_.Run(
      this,
      [who, body](client::Engine& engine) {
        return std::make_pair(engine.SendText(who, body), static_cast<qint64>(engine.Now()));
      },
      [this, text, shown_for](const std::pair<Result<client::SendResult>, qint64>& answer) {
        composer_->setEnabled(true);
        send_->setEnabled(true);
        const auto& [result, at] = answer;
        if (!result.ok()) {
          emit problem(QString::fromStdString(result.error().message));
          return;
        }
        composer_->clear();
        composer_->setFocus();
        if (shown_for == contact_) model_.AppendOwn(*result, text, at);
        QString notice = QString::fromStdString(result->notice);
        if (!result->uploaded) {
          // One sentence: the engine's reason is a clause.
          QString reason = QString::fromStdString(result->pending_reason).trimmed();
          while (reason.endsWith(u'.')) reason.chop(1);
          notice = tr("Not sent yet (%1); it is sent when the relay can be reached.").arg(reason);
        }
        notice_->setText(notice);
        notice_->setVisible(!notice.isEmpty());
        emit sent();
      });
}

}  // namespace attune::desktop
