// Risk sharing between CCGs (MODEL.md step 6), in whole pounds.
//
// Money moved between members is apportioned in integer pounds by the
// largest-remainder method, so every pool conserves money exactly: the sum
// of the members' surpluses after sharing equals the sum before, to the pound.
#pragma once

#include <cstdint>
#include <span>

namespace ccgrisk {

// Splits `total` pounds in proportion to `weights` (all >= 0, sum > 0):
// each share is floor or ceil of total * w_j / sum w, and the shares add up
// to `total` exactly. Leftover pounds go to the largest fractional parts,
// ties to the earlier member. `shares` has the size of `weights`.
void apportion(std::int64_t total, std::span<const std::int64_t> weights,
               std::span<std::int64_t> shares);

// "full" pooling: each member gets the pool's total surplus pro rata to its
// allocation. `surplus` and `allocation` are per member; writes `pooled`.
void pool_full(std::span<const std::int64_t> surplus, std::span<const std::int64_t> allocation,
               std::span<std::int64_t> pooled);

// "cover" pooling: members in surplus give g_j = min(surplus_j, cap_j); the
// amount moved is X = min(sum g, total deficit); givers give X pro rata to
// g_j and members in deficit receive X pro rata to their deficit. No member
// gives more than its cap or more than its surplus. `scratch` needs room
// for 3 values per member.
void pool_cover(std::span<const std::int64_t> surplus, std::span<const std::int64_t> cap,
                std::span<std::int64_t> pooled, std::span<std::int64_t> scratch);

}  // namespace ccgrisk
