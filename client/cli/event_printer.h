// Prints the engine's events (events.h) for `attune sync` and `attune
// watch`: messages on stdout, warnings and connection changes on stderr.
// Called on the engine's threads; one event at a time (the engine's rule).
#pragma once

#include "attune/client/events.h"

namespace attune::cli {

class EventPrinter : public client::EngineObserver {
 public:
  explicit EventPrinter(bool show_connection) : show_connection_(show_connection) {}
  void OnEvent(const client::Event& event) override;

 private:
  bool show_connection_ = false;
};

}  // namespace attune::cli
