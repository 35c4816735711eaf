// Argument checking for the exported functions. Each getter returns false
// after throwing a TypeError, so callers just `return` on false.
#ifndef BERTH_ADDON_ARGS_H
#define BERTH_ADDON_ARGS_H

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth {

bool ArgString(const Napi::CallbackInfo& info, size_t i, const char* name,
               std::string* out);

// null or undefined become std::nullopt (a NULL pointer for the syscall).
bool ArgOptionalString(const Napi::CallbackInfo& info, size_t i,
                       const char* name, std::optional<std::string>* out);

// A non-negative integer that fits in 32 bits.
bool ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name,
               uint32_t* out);

// An array of strings, each checked as ArgString checks one.
bool ArgStringArray(const Napi::CallbackInfo& info, size_t i, const char* name,
                    std::vector<std::string>* out);

bool ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* name,
               Napi::Buffer<uint8_t>* out);

inline const char* OrNull(const std::optional<std::string>& s) {
  return s ? s->c_str() : nullptr;
}

}  // namespace berth

#endif
