variable "a" {
  default = "a-default"
}

variable "b" {
  type    = string
  default = "b-default"
}

variable "c" {
  default = "c-default"
}

variable "d" {
  type = string
}

variable "e" {}

variable "f" {
  type    = list(string)
  default = []
}

variable "g" {
  default = "g-default"
}

variable "h" {
  default = "h-default"
}
