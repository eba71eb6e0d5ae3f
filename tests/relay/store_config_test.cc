// The [store] section of the relay config: SQLite stays the default; a
// PostgreSQL store needs a connection string without a password (the
// password comes from a pgpass file or PGPASSFILE, never argv or the config).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "attune/relay/server/config.h"

namespace attune::relay {
namespace {

std::string ReadFile(const char* path) {
  std::FILE* f = std::fopen(path, "rb");
  EXPECT_NE(f, nullptr) << "missing " << path;
  if (f == nullptr) return "";
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

constexpr const char* kBase = "[storage]\ndata_dir = \"/tmp/x\"\n";

TEST(StoreConfigTest, SqliteIsTheDefault) {
  auto c = ParseConfig(kBase);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.backend, StoreBackend::kSqlite);
  EXPECT_TRUE(c->store.conninfo.empty());
  auto example = ParseConfig(ReadFile(ATTUNE_RELAY_EXAMPLE_CONFIG));
  ASSERT_TRUE(example.ok()) << example.error().message;
  EXPECT_EQ(example->store.backend, StoreBackend::kSqlite);
}

TEST(StoreConfigTest, TheClusterExampleNamesPostgres) {
  auto c = ParseConfig(ReadFile(ATTUNE_RELAY_CLUSTER_CONFIG));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.backend, StoreBackend::kPostgres);
  EXPECT_NE(c->store.conninfo.find("passfile='/run/secrets/pgpass'"), std::string::npos);
  EXPECT_EQ(c->store.conninfo.find("password="), std::string::npos);
}

TEST(StoreConfigTest, PostgresTakesAConnectionAndAPasswordFile) {
  auto c = ParseConfig(std::string(kBase) +
                       "[store]\nbackend = \"postgres\"\n"
                       "connection = \"host=127.0.0.1 port=5432 dbname=attune user=attune\"\n"
                       "password_file = \"/etc/attune-relay/it's pgpass\"\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.backend, StoreBackend::kPostgres);
  EXPECT_EQ(c->store.conninfo,
            "host=127.0.0.1 port=5432 dbname=attune user=attune "
            "passfile='/etc/attune-relay/it\\'s pgpass'");
  // Without password_file libpq falls back to PGPASSFILE / ~/.pgpass.
  auto plain = ParseConfig(std::string(kBase) +
                           "[store]\nbackend = \"postgres\"\nconnection = \"dbname=attune\"\n");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->store.conninfo, "dbname=attune");
}

TEST(StoreConfigTest, RejectsPasswordsAndMistakes) {
  const std::string pg = std::string(kBase) + "[store]\nbackend = \"postgres\"\n";
  auto with_password = ParseConfig(pg + "connection = \"dbname=attune password=hunter2\"\n");
  ASSERT_FALSE(with_password.ok());
  EXPECT_NE(with_password.error().message.find("must not contain a password"), std::string::npos);
  // The password never shows up in the error.
  EXPECT_EQ(with_password.error().message.find("hunter2"), std::string::npos);
  auto uri_password = ParseConfig(pg + "connection = \"postgresql://attune:hunter2@db/attune\"\n");
  ASSERT_FALSE(uri_password.ok());
  EXPECT_FALSE(ParseConfig(pg).ok()) << "postgres needs a connection";
  EXPECT_FALSE(ParseConfig(pg + "connection = \"dbname='unterminated\"\n").ok());
  EXPECT_FALSE(ParseConfig(std::string(kBase) + "[store]\nbackend = \"mysql\"\n").ok());
  EXPECT_FALSE(ParseConfig(std::string(kBase) + "[store]\nconnection = \"dbname=attune\"\n").ok())
      << "a connection string without backend = postgres is a mistake";
  EXPECT_FALSE(ParseConfig(std::string(kBase) + "[store]\nbakend = \"postgres\"\n").ok());
}

}  // namespace
}  // namespace attune::relay
