"""The CRM models: what Earshot concludes about each customer from the CRM and what they post.

`facts` is what a model reads about one customer, `lifecycle` their stages over time, `churn` their churn risk with
its reasons; `refresh` is the stage that reads facts from the store and writes the results back.
"""
