"""The campaign's oversight loop (issue 16): inspectors' checks of posts with a checklist and
photos held against the check-ins of that moment, members' street reports (随手拍) routed to the
responsible unit by zone or nearest post, rectification orders (整改令) with deadlines that remind
and escalate by themselves and a follow-up (回头看), and the figures they feed into the unit
score. It stands on platform, people, schedule and duty, and knows nothing of the reports above.
"""
