// A damaged page is reported as damage (issue 10, item 10), not as a
// missing schema version.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "attune/client/store/profile.h"
#include "attune/crypto/random.h"

namespace attune::client::store {
namespace {

namespace fs = std::filesystem;

TEST(ProfileDamage, CorruptedPageIsReportedAsDamage) {
  std::string tmpl = (fs::temp_directory_path() / "attune-damage-XXXXXX").string();
  const std::string root = ::mkdtemp(tmpl.data());
  const std::string dir = root + "/profile";
  {
    auto p = Profile::Create(dir, AsBytes(std::string("pass")), KdfStrength::kTestInteractive,
                             crypto::SystemRandom());
    ASSERT_TRUE(p.ok()) << p.error().message;
  }
  const fs::path db = fs::path(dir) / kDatabaseFileName;
  {
    // Flip bytes inside the first pages after the header, whatever the page
    // size (1024 or 4096): every read of them fails authentication.
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    for (std::streamoff offset : {std::streamoff(1024 + 300), std::streamoff(4096 + 300)}) {
      f.seekp(offset);
      f.write("DAMAGEDDAMAGED", 14);
    }
  }
  auto opened = Profile::Open(dir, AsBytes(std::string("pass")));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(opened.error().message.find("damaged"), std::string::npos) << opened.error().message;
  EXPECT_EQ(opened.error().message.find("schema version"), std::string::npos);
  fs::remove_all(root);
}

}  // namespace
}  // namespace attune::client::store
