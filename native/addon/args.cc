#include "args.h"

#include <cmath>

namespace berth {

namespace {

bool ThrowType(Napi::Env env, const char* name, const char* expected) {
  Napi::TypeError::New(env, std::string(name) + " must be " + expected)
      .ThrowAsJavaScriptException();
  return false;
}

}  // namespace

bool ArgString(const Napi::CallbackInfo& info, size_t i, const char* name,
               std::string* out) {
  if (!info[i].IsString()) return ThrowType(info.Env(), name, "a string");
  *out = info[i].As<Napi::String>().Utf8Value();
  // A C string would silently stop at an embedded NUL and act on a
  // different path than the caller named.
  if (out->find('\0') != std::string::npos) {
    return ThrowType(info.Env(), name, "a string without NUL bytes");
  }
  return true;
}

bool ArgStringArray(const Napi::CallbackInfo& info, size_t i, const char* name,
                    std::vector<std::string>* out) {
  if (!info[i].IsArray()) return ThrowType(info.Env(), name, "an array of strings");
  Napi::Array items = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < items.Length(); k++) {
    Napi::Value item = items.Get(k);
    if (!item.IsString()) return ThrowType(info.Env(), name, "an array of strings");
    std::string text = item.As<Napi::String>().Utf8Value();
    if (text.find('\0') != std::string::npos) {
      return ThrowType(info.Env(), name, "an array of strings without NUL bytes");
    }
    out->push_back(std::move(text));
  }
  return true;
}

bool ArgOptionalString(const Napi::CallbackInfo& info, size_t i,
                       const char* name, std::optional<std::string>* out) {
  if (info[i].IsNull() || info[i].IsUndefined()) {
    out->reset();
    return true;
  }
  std::string value;
  if (!ArgString(info, i, name, &value)) return false;
  *out = std::move(value);
  return true;
}

bool ArgUint32(const Napi::CallbackInfo& info, size_t i, const char* name,
               uint32_t* out) {
  if (!info[i].IsNumber()) return ThrowType(info.Env(), name, "a number");
  double value = info[i].As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value <= 4294967295.0) || std::trunc(value) != value) {
    return ThrowType(info.Env(), name, "an integer in 0..2^32-1");
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

bool ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* name,
               Napi::Buffer<uint8_t>* out) {
  if (!info[i].IsBuffer()) return ThrowType(info.Env(), name, "a Buffer");
  *out = info[i].As<Napi::Buffer<uint8_t>>();
  return true;
}

}  // namespace berth
