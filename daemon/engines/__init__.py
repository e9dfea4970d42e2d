"""What every engine shares: model lifetime and bounded work queues."""
