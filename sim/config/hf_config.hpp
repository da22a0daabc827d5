#pragma once
// Bring your own model: a Hugging Face config.json (Llama, Mistral, Qwen2, Mixtral, DeepSeek MoE/V2/V3)
// read as a model card, and a model card written as the TOML dssim keeps in models/.
#include <string>

#include "config/model_card.hpp"

namespace dssim {

// The card a config.json describes. `id` names it (default: the file's folder name). An architecture
// dssim does not model, or a missing or malformed field, is an error naming the file and the field.
ModelCard model_from_hf_config(const std::string& path, const std::string& id = "");

// The card as a models/*.toml file (load_model_card reads it back to the same card).
std::string model_card_toml(const ModelCard& m);

}  // namespace dssim
