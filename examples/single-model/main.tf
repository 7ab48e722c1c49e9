provider "aws" {
  region = var.region
}

# One model with a single step: the model's own image runs predict.py, nothing else, as the
# original pattern allows. No script is uploaded, so models_dir needs no files.
module "legacylift" {
  source = "../../"

  name_prefix = var.name_prefix
  models_dir  = "${path.module}/models"
  models = {
    (var.model_name) = {
      image_uri = var.image_uri
      steps     = ["inference"]
    }
  }
}
