#include "attune/client/enrollment.h"

#include "attune/mailbox/enrollment.h"

namespace attune::client {

Result<ClinicRelay> ParseEnrollmentCode(std::string_view text) {
  ATTUNE_ASSIGN_OR_RETURN(mailbox::Enrollment enrollment, mailbox::ParseEnrollment(text));
  ClinicRelay relay;
  relay.endpoint.host = enrollment.host;
  relay.endpoint.port = enrollment.port;
  relay.endpoint.relay_public_key = enrollment.relay_public_key;
  relay.credential = std::move(enrollment.credential);
  return relay;
}

}  // namespace attune::client
