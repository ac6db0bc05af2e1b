#include "input/sha256.hpp"

#include <catch2/catch.hpp>

#include <string>

using ccgrisk::sha256_hex;

// Test vectors from NIST's FIPS 180-4 examples (SHA256.pdf) and FIPS 180-2 appendix B.
TEST_CASE("sha256 of the empty string", "[sha256]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sha256 of 'abc' (one block)", "[sha256]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("sha256 of the 448-bit message (padding spills into a second block)", "[sha256]") {
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256 of the 896-bit message", "[sha256]") {
  CHECK(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                 "klmnopqrlmnopqrsmnopqrstnopqrstu") ==
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256 of one million 'a'", "[sha256]") {
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the block and padding boundaries (55/56 bytes: the length
// field just fits / does not fit; 64: a whole block), all byte values, checked
// against Python's hashlib for bytes (7 i + 3) mod 256.
TEST_CASE("sha256 at padding boundaries", "[sha256]") {
  const auto [length, digest] = GENERATE(table<std::size_t, std::string>({
      {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
      {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
      {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
      {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
      {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
      {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
      {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
  }));
  std::string bytes;
  for (std::size_t i = 0; i < length; ++i)
    bytes += static_cast<char>((i * 7 + 3) % 256);
  INFO("length " << length);
  CHECK(sha256_hex(bytes) == digest);
}

TEST_CASE("sha256 digests are 64 lower-case hex digits and depend on every byte", "[sha256]") {
  const std::string a = sha256_hex("ccgrisk");
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(sha256_hex("ccgrisK") != a);
}
